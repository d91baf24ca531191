// A tiny monolith that takes figway and express from its own node_modules, as an app that installed them
// does: one request to a route, one to legacy, once as CommonJS and once as ESM.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const BODY = `
const app = express();
app.use(figway({ config: { plugins: { logging: false }, routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: process.env.UPSTREAM }] } }));
app.use((req, res) => res.json({ service: 'legacy' }));
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port;
  const routed = await (await fetch(base + '/api/orders')).json();
  const legacy = await (await fetch(base + '/home')).json();
  console.log(JSON.stringify({ routed: routed.service, legacy: legacy.service, error: typeof FigwayError }));
  server.close();
  process.exit(0);
});`;

/** What each app prints when the route reached the service and the rest reached legacy. */
export const CONSUMER_ANSWER = { routed: 'orders', legacy: 'legacy', error: 'function' };

/** Writes app.cjs (require) and app.mjs (import) into dir. */
export function writeConsumerApps(dir: string): void {
  writeFileSync(path.join(dir, 'app.cjs'), `const express = require('express');\nconst { figway, FigwayError } = require('figway');\n${BODY}`);
  writeFileSync(path.join(dir, 'app.mjs'), `import express from 'express';\nimport { figway, FigwayError } from 'figway';\n${BODY}`);
}

/** Runs one of them with its route sent to upstream; asynchronous, since that service usually lives in the calling process. */
export async function runConsumerApp(dir: string, file: 'app.cjs' | 'app.mjs', upstream: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, file)], { cwd: dir, env: { ...process.env, UPSTREAM: upstream } });
  return JSON.parse(stdout) as unknown;
}
