// Steady load through the gateway: a fixed rate, at most 64 requests in flight, every answer classified.
import http from 'node:http';
import { answerKind } from './documented.mjs';

const MAX_IN_FLIGHT = 64;
const TICK_MS = 20;
const TIMEOUT_MS = 10_000;

/** The n-th request: mostly the rolled-out and proxied routes, some bodies, some legacy pages. */
function build(n) {
  const user = `u${n % 997}`;
  const slot = n % 20;
  if (slot < 7) return { method: 'GET', path: `/api/orders/${n}`, headers: { 'x-user-id': user } };
  if (slot < 9) return { method: 'POST', path: '/api/orders', headers: { 'x-user-id': user }, body: JSON.stringify({ n, items: [{ sku: `s${n}`, qty: n % 5 }] }) };
  if (slot < 13) return { method: 'GET', path: `/api/users/${n}`, headers: {} };
  if (slot === 13) return { method: 'GET', path: '/api/limited', headers: { 'x-user-id': `limited-${n % 2}` } };
  if (slot === 14) return { method: 'POST', path: `/api/users/${n}`, headers: {}, body: JSON.stringify({ name: `user ${n}` }) };
  if (slot === 15) return { method: 'GET', path: `/api/extra/${n}`, headers: {} };
  return { method: 'GET', path: `/shop/${n}`, headers: {} };
}

/**
 * Runs the load until `until` (ms since epoch) or `requests` were sent, then waits for the
 * answers in flight. Counts into `tally`: sent, by status, by kind, without any answer, cut
 * mid-body, and samples of what is outside the documented kinds.
 */
export async function runLoad({ port, rate, requests, until, tally }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  let inFlight = 0;
  let budget = 0;
  let settled;
  const idle = () => inFlight === 0 && settled?.();

  const send = (n) => {
    const { method, path, headers, body } = build(n);
    const sentBytes = body === undefined ? undefined : Buffer.byteLength(body);
    inFlight += 1;
    tally.sent += 1;
    const finish = () => {
      inFlight -= 1;
      idle();
    };
    let timedOut = false;
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', () => {});
      res.on('close', () => {
        const status = res.statusCode ?? 0;
        tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
        if (timedOut) {
          tally.finding(`${method} ${path} stalled mid-answer for ${TIMEOUT_MS} ms`);
        } else if (!res.complete) {
          // The documented answer to a service that dies mid-response: the client connection is cut.
          tally.cut += 1;
        } else {
          const code = res.headers['x-figway-error'];
          const kind = answerKind({ status, code, body: Buffer.concat(chunks).toString('utf8'), path, sentBytes });
          if (kind) tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;
          else tally.finding(`${method} ${path} answered ${status} ${code ?? ''} ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
        }
        finish();
      });
    });
    req.setTimeout(TIMEOUT_MS, () => {
      timedOut = true;
      req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`));
    });
    req.on('error', (err) => {
      if (req.res) return;
      tally.noResponse += 1;
      // Enough to tell a request the gateway never read from one it never answered.
      const how = `${req.reusedSocket ? 'reused' : 'new'} connection from port ${req.socket?.localPort}, request ${req.writableFinished ? 'sent' : 'not fully sent'}`;
      tally.finding(`${method} ${path} got no answer (${how}): ${err.code ?? err.message}`);
      finish();
    });
    req.end(body);
  };

  await new Promise((resolve) => {
    const timer = setInterval(() => {
      budget = Math.min(budget + (rate * TICK_MS) / 1000, MAX_IN_FLIGHT);
      while (budget >= 1 && inFlight < MAX_IN_FLIGHT && tally.sent < requests && Date.now() < until) {
        budget -= 1;
        send(tally.sent);
      }
      if (tally.sent >= requests || Date.now() >= until) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await new Promise((resolve) => {
    settled = resolve;
    idle();
  });
  agent.destroy();
}
