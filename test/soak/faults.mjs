// The fault schedule: in cycles of steps, the service is killed and restarted, the config file
// is rewritten (valid and invalid), rollouts are flipped through the admin API and redis-server
// is restarted; each cycle ends with everything healthy again.
import { ADMIN_TOKEN } from './config-file.mjs';
import { isDocumentedAdminAnswer } from './documented.mjs';

/** Calls the admin API; counts the answer, and reports one outside the documented kinds. */
async function admin(env, method, path, body, expected = 200) {
  let status = 0;
  let code;
  try {
    const res = await fetch(`${env.adminUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-figway-actor': 'soak', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    status = res.status;
    code = res.headers.get('x-figway-error') ?? undefined;
    await res.arrayBuffer();
  } catch (err) {
    code = err.name;
  }
  const key = `${method} ${path.split('?')[0]} → ${status}${code ? ` ${code}` : ''}`;
  env.tally.admin[key] = (env.tally.admin[key] ?? 0) + 1;
  if (!isDocumentedAdminAnswer(status, code, expected)) env.tally.finding(`admin ${key} (expected ${expected})`);
}

/** The steps of a cycle (ten, or eight without redis-server), each a named action on the soak's environment. */
export function faultSteps(env) {
  let variant = 0;
  const percent = () => Math.round(Math.random() * 10_000) / 100;
  return [
    ['flip a rollout', () => admin(env, 'PUT', '/routes/orders/rollout', { percent: percent() })],
    ['kill the service', () => env.upstream.kill()],
    ['start the service', () => env.upstream.start()],
    ['rewrite the config (valid)', () => env.writeConfig({ variant: ++variant })],
    [
      'rewrite the config (invalid)',
      async () => {
        env.writeConfig({ variant, invalid: variant % 2 === 0 ? 'schema' : 'yaml' });
        await admin(env, 'POST', '/reload', undefined, 400);
      },
    ],
    [
      'rewrite the config (valid again)',
      async () => {
        env.writeConfig({ variant: ++variant });
        await admin(env, 'POST', '/reload');
      },
    ],
    ...(env.redis
      ? [
          ['stop redis-server', () => env.redis.stop()],
          ['start redis-server', () => env.redis.start()],
        ]
      : []),
    [
      'roll back, kill switch on',
      async () => {
        await admin(env, 'POST', '/routes/orders/rollback');
        await admin(env, 'POST', '/kill-switch', { on: true });
      },
    ],
    [
      'kill switch off, rollout back to the file',
      async () => {
        await admin(env, 'POST', '/kill-switch', { on: false });
        await admin(env, 'DELETE', '/routes/orders/rollout');
      },
    ],
  ];
}

/**
 * Runs the steps one slot apart, cycle after cycle, from `started` to `until`; a cycle is 80% of the run
 * (at least 10 s, at most 60 s), so even a short run goes through every step once. A step
 * that fails is a finding.
 */
export async function runFaults(env, started, until) {
  const steps = faultSteps(env);
  const cycleMs = Math.min(60_000, Math.max(10_000, (until - started) * 0.8));
  const slotMs = cycleMs / steps.length;
  for (let cycle = 0; started + (cycle + 1) * cycleMs <= until; cycle++) {
    for (const [index, [name, step]] of steps.entries()) {
      const at = started + cycle * cycleMs + (index + 0.5) * slotMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
      try {
        await step();
        env.tally.faults[name] = (env.tally.faults[name] ?? 0) + 1;
      } catch (err) {
        env.tally.finding(`fault step "${name}" failed: ${err.message}`);
      }
    }
  }
}
