// A figway gateway (server mode, the built package) with a table of many routes, in a process of its
// own so a test can load it from outside and see what its clients would: `node big-table-gateway.mjs
// <routes> <service url> <dir>`. Sends { port, admin, file } to its parent once it listens; on the
// message 'reload-object' it reloads the same table given as an object (gateway.reload(config)) and
// answers { reloaded: 200 }, or { reloaded: 500, error }.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { figway } from '../../dist/index.js';

const [count, service, dir] = process.argv.slice(2);
const file = path.join(dir, 'figway.yaml');
const lines = [
  'admin: { port: 0 }',
  `state: { store: file, path: ${JSON.stringify(path.join(dir, 'state.json'))} }`,
  'reload: { watch: false }',
  'upstreams:',
  `  orders: { url: ${JSON.stringify(service)} }`,
  'routes:',
  '  - { id: orders, match: { path: /api/orders }, upstream: orders }',
];
for (let i = 1; i < Number(count); i++) {
  lines.push(`  - id: svc-${i}\n    match: { path: /api/svc-${i}/items, methods: [GET, POST] }\n    upstream: orders\n    rollout: { percent: 50, sticky: [header:x-user-id] }`);
}
writeFileSync(file, `${lines.join('\n')}\n`);
const gateway = figway({ config: file, registry: new Registry(), logger: pino({ level: 'silent' }) });
await gateway.ready;
const server = http.createServer({ keepAliveTimeout: 30_000 }, gateway.wrap((_req, res) => res.end('legacy')));
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port, admin: gateway.adminUrl, file }));
// Built before it is asked for, as an app would hold it: the reload measured is figway's, not the making of 10,000 objects.
const routes = [{ id: 'orders', match: { path: '/api/orders' }, upstream: 'orders' }];
for (let i = 1; i < Number(count); i++) {
  routes.push({ id: `svc-${i}`, match: { path: `/api/svc-${i}/items`, methods: ['GET', 'POST'] }, upstream: 'orders', rollout: { percent: 50, sticky: ['header:x-user-id'] } });
}
const config = { admin: { port: 0 }, state: { store: 'file', path: path.join(dir, 'state.json') }, reload: { watch: false }, upstreams: { orders: { url: service } }, routes };
process.on('message', (message) => {
  if (message !== 'reload-object') return;
  gateway.reload(config).then(
    () => process.send?.({ reloaded: 200 }),
    (err) => process.send?.({ reloaded: 500, error: String(err) }),
  );
});
process.once('SIGTERM', () => process.exit(0));
