// A load client in its own process (so the server under test has a core to itself): sends requests
// `from` .. `to - 1` on distinct random paths, each carrying credentials, as raw pipelined HTTP/1.1,
// and reports the answers by status over IPC. Usage: fork(this, [port, from, to]).
import net from 'node:net';

/** Every secret contains this marker; no log line may. */
const MARK = 'sekret';

const [port, from, to] = process.argv.slice(2).map(Number);
const CONNECTIONS = 8;
const DEPTH = 32;

// Distinct without being costly: a counter spelled in hex, salted per process.
const salt = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0');
let counter = 0;
const word = () => `r${salt}${(counter++).toString(16).padStart(8, '0')}`;
const token = () => `${MARK}${salt}${(counter++).toString(36)}`;

/**
 * The n-th request, by n % 40: one to each of the two services' routes (a :param route and a
 * prefix route), two to a route left to the monolith (one spelled with case and dot segments),
 * one refused as ambiguous (an encoded slash in a :param route), thirty-five matching no route.
 * Credentials in the query string and in Authorization, Cookie or X-Api-Key, and a forged
 * identity header.
 */
function build(n) {
  const kind = n % 40;
  const path =
    kind === 0
      ? `/api/users/${word()}`
      : kind === 1
        ? `/api/orders/${word()}/${word()}`
        : kind === 2
          ? `/api/legacy/${word()}/${word()}`
          : kind === 3
            ? `/API/Legacy/%2e%2e/legacy/${word()}`
            : kind === 4
              ? `/api/users/${word()}%2F${word()}`
              : `/${word()}/${word()}`;
  const credential = [`Authorization: Bearer ${token()}`, `Cookie: connect.sid=${token()}`, `X-Api-Key: ${token()}`][n % 3];
  return `GET ${path}?page=${n}&access_token=${token()} HTTP/1.1\r\nHost: shop.example\r\n${credential}\r\nX-User-Id: ${word()}\r\n\r\n`;
}

const statuses = {};
let unanswered = 0;
let next = from;

function worker() {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let pending = 0;
    const send = () => {
      if (next >= to) {
        socket.end();
        return;
      }
      let out = '';
      while (pending < DEPTH && next < to) {
        out += build(next++);
        pending += 1;
      }
      socket.write(out);
    };
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const headEnd = buffer.indexOf('\r\n\r\n');
        if (headEnd === -1) break;
        const head = buffer.subarray(0, headEnd).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
        if (Number.isNaN(length)) {
          statuses.unframed = (statuses.unframed ?? 0) + 1;
          socket.destroy();
          return;
        }
        if (buffer.length < headEnd + 4 + length) break;
        const status = head.slice(9, 12);
        statuses[status] = (statuses[status] ?? 0) + 1;
        buffer = buffer.subarray(headEnd + 4 + length);
        pending -= 1;
      }
      if (pending === 0) send();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      unanswered += pending;
      pending = 0;
      resolve();
    });
    socket.on('connect', send);
  });
}

await Promise.all(Array.from({ length: CONNECTIONS }, worker));
process.send({ statuses, unanswered }, () => process.exit(0));
