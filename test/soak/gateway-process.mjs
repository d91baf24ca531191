// The monolith with figway mounted (from dist/), in its own process: the one under test. It tells
// the soak over IPC when it is ready, its memory when asked, and every warning or error it logs.
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { figway } from '../../dist/index.js';

const [configFile, port] = [process.argv[2], Number(process.argv[3])];
const report = (message) => process.send?.(message);

// Lines at warn and above go to the soak, which tells documented kinds from everything else.
const logs = new Writable({
  write(chunk, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      const entry = JSON.parse(line);
      // A request line's code is its error's; figway's own lines carry theirs (README: Warnings).
      if (entry.level >= 40) report({ type: 'log', level: entry.level, msg: entry.msg, code: entry.error?.code ?? entry.code ?? entry.err?.code });
    }
    done();
  },
});
process.on('warning', (warning) => report({ type: 'warning', message: `${warning.name}: ${warning.message}` }));
process.on('uncaughtException', (err) => {
  report({ type: 'crash', message: String(err?.stack ?? err) });
  process.exit(70);
});

const app = express();
app.use(express.json());
const gateway = figway({ config: configFile, logger: pino({ level: 'info' }, logs) });
app.use(gateway);
app.use((req, res) => {
  res.json({ side: 'legacy', bytes: req.body === undefined || req.method === 'GET' ? 0 : Buffer.byteLength(JSON.stringify(req.body)) });
});
const server = app.listen(port, '127.0.0.1', async () => {
  await gateway.ready;
  report({ type: 'ready', admin: gateway.adminUrl });
});
// Longer than the load's idle connections, so the server never closes one the client is about to reuse.
server.keepAliveTimeout = 30_000;
process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc?.();
  report({ type: 'memory', ...process.memoryUsage() });
});
