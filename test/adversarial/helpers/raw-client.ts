// A client on a raw TCP socket: sends exactly the bytes given (HTTP clients would normalise them)
// and parses every response that came back, complete or cut short.
import net from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The body ended where its framing says (Content-Length reached, last chunk seen, or a close-delimited body ended by the server). */
  readonly complete: boolean;
}

export interface RawExchange {
  /** Every byte the server sent. */
  readonly raw: Buffer;
  readonly responses: RawResponse[];
  /** The server closed (or reset) the connection. */
  readonly closed: boolean;
  /** Milliseconds from connecting to settling. */
  readonly elapsed: number;
}

export interface RawOptions {
  /** Pieces sent one after the other, `gapMs` apart (slow clients, split framing). */
  gapMs?: number;
  /** Settle this long after the last byte arrived once at least `expect` responses are complete. Default 150 ms. */
  quietMs?: number;
  /** How many complete responses to wait for before the quiet period counts. Default 1. */
  expect?: number;
  /** Give up (and report what came) after this long. Default 5000 ms. */
  timeoutMs?: number;
}

/** Sends `payload` (one buffer, or pieces) on a new connection and collects what comes back. */
export function rawExchange(port: number, payload: string | Buffer | (string | Buffer)[], options: RawOptions = {}): Promise<RawExchange> {
  const pieces = Array.isArray(payload) ? payload : [payload];
  // Responses to HEAD carry no body whatever their Content-Length says.
  const head = String(pieces[0] ?? '').startsWith('HEAD ');
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let closed = false;
    let error: string | undefined;
    let settled = false;
    let quiet: NodeJS.Timeout | undefined;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(quiet);
      clearTimeout(deadline);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      // A close-delimited body is complete only when the server ended it, not when the connection broke.
      resolve({ raw, responses: parseResponses(raw, closed && error === undefined, head), closed, elapsed: Date.now() - started });
    };
    const deadline = setTimeout(finish, options.timeoutMs ?? 5000);
    const armQuiet = () => {
      clearTimeout(quiet);
      const done = parseResponses(Buffer.concat(chunks), false, head).filter((r) => r.complete).length;
      if (done >= (options.expect ?? 1)) quiet = setTimeout(finish, options.quietMs ?? 150);
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      armQuiet();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.once('connect', async () => {
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (socket.destroyed) return;
        socket.write(pieces[i] as string | Buffer);
      }
    });
  });
}

/**
 * Parses HTTP/1.x responses from a byte stream; `ended` says the server closed it (ends a
 * close-delimited body); `head` says they answer HEAD requests (no bodies).
 */
export function parseResponses(raw: Buffer, ended: boolean, head = false): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', at);
    if (headEnd === -1) break;
    const lines = raw.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      headers[name] = headers[name] === undefined ? line.slice(colon + 1).trim() : `${headers[name]}, ${line.slice(colon + 1).trim()}`;
    }
    let cursor = headEnd + 4;
    const bodyless = head || status === 204 || status === 304 || (status >= 100 && status < 200);
    if (bodyless) {
      out.push({ status, headers, body: Buffer.alloc(0), complete: true });
      at = cursor;
      continue;
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      let complete = false;
      for (;;) {
        const lineEnd = raw.indexOf('\r\n', cursor);
        if (lineEnd === -1) break;
        const size = parseInt(raw.subarray(cursor, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          const trailerEnd = raw.indexOf('\r\n\r\n', lineEnd);
          if (trailerEnd !== -1 || raw.subarray(lineEnd, lineEnd + 4).toString() === '\r\n\r\n') {
            complete = true;
            cursor = (trailerEnd === -1 ? lineEnd : trailerEnd) + 4;
          }
          break;
        }
        if (lineEnd + 2 + size + 2 > raw.length) {
          parts.push(raw.subarray(lineEnd + 2, Math.min(raw.length, lineEnd + 2 + size)));
          cursor = raw.length;
          break;
        }
        parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
        cursor = lineEnd + 2 + size + 2;
      }
      out.push({ status, headers, body: Buffer.concat(parts), complete });
      at = complete ? cursor : raw.length;
      if (!complete) break;
      continue;
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      const body = raw.subarray(cursor, Math.min(raw.length, cursor + length));
      out.push({ status, headers, body, complete: body.length === length });
      at = cursor + length;
      continue;
    }
    out.push({ status, headers, body: raw.subarray(cursor), complete: ended });
    break;
  }
  return out;
}
