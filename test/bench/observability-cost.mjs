// What metrics + logs (and trace context) cost on the proxied path. `npm run bench:observability`.
import { compare } from './compare.mjs';

await compare({
  variants: [
    ['metrics, logs, trace context off', 'figway-bare'],
    ['metrics + logs on', 'figway-metrics-logs'],
    ['metrics + logs + trace context on', 'figway-observed'],
  ],
  rounds: Number(process.env.ROUNDS ?? 9),
  seconds: Number(process.env.BENCH_SECONDS ?? 2),
  connections: Number(process.env.CONNECTIONS ?? 16),
});
