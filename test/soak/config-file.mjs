// The gateway's figway.yaml, rewritten during the soak: valid variants and invalid ones.
import { renameSync, writeFileSync } from 'node:fs';

export const ADMIN_TOKEN = 'soak-admin-token-0123456789';

/**
 * The config text. `variant` changes what a valid rewrite changes (the users route's percent, an
 * extra route); `invalid` makes a file figway must refuse while it keeps serving the last good one.
 */
export function configText({ upstreamPort, redisPort, stateFile, variant = 0, invalid }) {
  const redis = redisPort === undefined ? undefined : `redis://127.0.0.1:${redisPort}`;
  const lines = [
    `admin: { port: 0, token: ${ADMIN_TOKEN} }`,
    redis ? `state: { store: redis, url: "${redis}", prefix: soak }` : `state: { store: file, path: "${stateFile}" }`,
    ...(redis ? [`limits: { store: redis, redis: { url: "${redis}" }, onStoreError: open }`] : []),
    'defaults: { timeouts: { connect: 1s, response: 5s } }',
    `upstreams: { svc: { url: "http://127.0.0.1:${upstreamPort}" } }`,
    'routes:',
    '  - id: orders',
    '    match: { path: /api/orders }',
    '    upstream: svc',
    '    rollout: { percent: 50, sticky: [header:x-user-id] }',
    '  - id: users',
    '    match: { path: /api/users/:id }',
    '    upstream: svc',
    `    rollout: { percent: ${invalid === 'schema' ? 150 : variant % 2 === 0 ? 100 : 80} }`,
    '  - id: limited',
    '    match: { path: /api/limited }',
    '    upstream: svc',
    '    limits: { limit: 2, window: 1s, key: [header:x-user-id] }',
  ];
  if (variant % 3 === 1) lines.push('  - id: extra', '    match: { path: /api/extra }', '    upstream: svc');
  if (invalid === 'yaml') lines.push('  - id: [broken');
  return `${lines.join('\n')}\n`;
}

/** Replaces the file in one step (as editors and Kubernetes do), so the watcher never reads half a file. */
export function writeConfig(file, options) {
  writeFileSync(`${file}.next`, configText(options));
  renameSync(`${file}.next`, file);
}
