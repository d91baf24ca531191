// The feature budget: each feature's own CPU per request in server mode with the undici engine,
// measured against features off within the same process (see serve.mjs, kind figway-feature-pair).
import { cpuMs, median, start } from './compare.mjs';
import { drive } from './load.mjs';
import { FEATURE_VARIANTS } from './serve.mjs';

/**
 * @param {{ rounds: number, seconds: number, warmUp: number, connections: number, headers: Record<string, string> }} plan
 * @returns {Promise<{ variants: object[], raw: object[] }>} per variant: CPU µs per request, and its
 *   cost over features off in the same process (the median of the rounds' differences), in µs and in percent
 */
export async function measureFeatures(plan) {
  const upstream = await start('upstream');
  const names = Object.keys(FEATURE_VARIANTS).filter((name) => name !== 'off');
  const perRound = [];
  try {
    for (let round = 0; round < plan.rounds; round++) {
      const figures = {};
      for (const name of names) {
        const pair = await start('figway-feature-pair', upstream.url, name);
        try {
          const load = (port, seconds) => drive({ url: `http://127.0.0.1:${port}/api/orders/7`, headers: plan.headers, connections: plan.connections, seconds });
          const sides = round % 2 === 0 ? ['off', 'variant'] : ['variant', 'off'];
          for (const side of sides) await load(pair.port[side], plan.warmUp);
          const cpu = {};
          for (const side of sides) {
            const before = cpuMs(pair.child.pid);
            const result = await load(pair.port[side], plan.seconds);
            if (result.failures > 0 || !(result.requests > 0)) throw new Error(`feature variant ${name} (${side}): ${result.failures} failed of ${result.requests} requests`);
            cpu[side] = { cpu: ((cpuMs(pair.child.pid) - before) * 1000) / result.requests, rps: result.rps };
          }
          figures[name] = { off: cpu.off, variant: cpu.variant };
        } finally {
          pair.child.kill();
        }
      }
      perRound.push(figures);
    }
  } finally {
    upstream.child.kill();
  }
  const off = median(perRound.flatMap((r) => names.map((name) => r[name].off.cpu)));
  const variants = [
    { name: 'off', cpu: off, overOff: 0, overOffPercent: 0, rps: median(perRound.flatMap((r) => names.map((name) => r[name].off.rps))) },
    ...names.map((name) => ({
      name,
      cpu: median(perRound.map((r) => r[name].variant.cpu)),
      overOff: median(perRound.map((r) => r[name].variant.cpu - r[name].off.cpu)),
      overOffPercent: median(perRound.map((r) => (r[name].variant.cpu / r[name].off.cpu - 1) * 100)),
      rps: median(perRound.map((r) => r[name].variant.rps)),
    })),
  ];
  return { variants, raw: perRound };
}
