// The soak's flags: how long, how many requests, how fast. Every load is bounded.
import { parseArgs } from 'node:util';

const USAGE = `npm run soak -- [--duration <seconds>] [--requests <count>] [--rate <per second>] [--no-redis]

  --duration   how long the load runs (default 180); faults repeat in cycles within it
  --requests   stop earlier once this many requests were sent (default 100000)
  --rate       requests per second (default 200; at most 64 in flight at once)
  --no-redis   do not use redis-server even when it is installed`;

/** The soak's settings from the command line; exits with the usage on a bad flag. */
export function readOptions(argv = process.argv.slice(2)) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '180' },
        requests: { type: 'string', default: '100000' },
        rate: { type: 'string', default: '200' },
        'no-redis': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name, min, max) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) {
      console.error(`--${name} must be a number from ${min} to ${max}\n\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  return {
    durationMs: number('duration', 10, 24 * 3600) * 1000,
    requests: Math.floor(number('requests', 1, 1e8)),
    rate: number('rate', 1, 2000),
    redis: !values['no-redis'],
  };
}
