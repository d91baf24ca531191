// An upstream on a raw TCP socket: records exactly the bytes figway sent and reads them with a
// strict HTTP/1.1 parser, so a second request hidden in a body, or framing two servers would read
// differently, shows up as what it is.
import net from 'node:net';

export interface SeenRequest {
  readonly connection: number;
  readonly method: string;
  readonly target: string;
  /** Header lines as sent, name and value. */
  readonly headers: [string, string][];
  readonly body: Buffer;
  /** The whole request arrived, as its framing says. */
  readonly complete: boolean;
  /** Framing a strict server would refuse or another server could read differently (CL+TE, repeated CL, TE other than exactly "chunked", a bad chunk). */
  readonly ambiguous: string | undefined;
}

export interface RawUpstream {
  readonly port: number;
  readonly url: string;
  /** Every request seen, in order, including ones cut short. */
  readonly requests: SeenRequest[];
  /** Connections currently open. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Answers a complete request with a small 200 (Content-Length, keep-alive). */
function answer(request: SeenRequest, socket: net.Socket): void {
  socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n${request.method === 'HEAD' ? '' : 'ok'}`);
}

/** Starts the raw upstream on an ephemeral loopback port. */
export async function startRawUpstream(): Promise<RawUpstream> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    const id = connections++;
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on('error', () => {});
    const drain = (ended: boolean) => {
      for (;;) {
        const parsed = parseRequest(buffer, id, ended);
        if (!parsed) return;
        requests.push(parsed.request);
        buffer = buffer.subarray(parsed.used);
        if (!parsed.request.complete || parsed.request.ambiguous) {
          buffer = Buffer.alloc(0);
          if (!ended) socket.destroy();
          return;
        }
        answer(parsed.request, socket);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      drain(false);
    });
    socket.on('close', () => {
      sockets.delete(socket);
      if (buffer.length > 0) drain(true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * One request from the start of `buffer`, or undefined when more bytes are needed. With `ended`,
 * what is there is all there will be: a started request is returned incomplete.
 */
function parseRequest(buffer: Buffer, connection: number, ended: boolean): { request: SeenRequest; used: number } | undefined {
  if (buffer.length === 0) return undefined;
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd === -1) {
    if (!ended) return undefined;
    const line = buffer.toString('latin1').split('\r\n')[0] ?? '';
    const [method = '', target = ''] = line.split(' ');
    return { request: { connection, method, target, headers: [], body: Buffer.alloc(0), complete: false, ambiguous: undefined }, used: buffer.length };
  }
  const lines = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  const [method = '', target = ''] = (lines[0] ?? '').split(' ');
  const headers = lines.slice(1).map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const values = (name: string) => headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  const te = values('transfer-encoding');
  const cl = values('content-length');
  let ambiguous: string | undefined;
  if (te.length > 0 && cl.length > 0) ambiguous = 'both Content-Length and Transfer-Encoding';
  else if (cl.length > 1) ambiguous = 'repeated Content-Length';
  else if (te.length > 1 || (te.length === 1 && te[0]?.toLowerCase() !== 'chunked')) ambiguous = `Transfer-Encoding: ${te.join(' + ')}`;
  else if (lines.some((line, i) => i > 0 && /^[ \t]/.test(line))) ambiguous = 'obsolete line folding';
  const start = headEnd + 4;
  const request = (body: Buffer, complete: boolean, used: number, why = ambiguous) => ({
    request: { connection, method, target, headers, body, complete, ambiguous: why },
    used,
  });
  if (te.length > 0) {
    const parts: Buffer[] = [];
    let cursor = start;
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', cursor);
      if (lineEnd === -1) return ended ? request(Buffer.concat(parts), false, buffer.length) : undefined;
      const sizeText = buffer.subarray(cursor, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '';
      if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return request(Buffer.concat(parts), false, buffer.length, ambiguous ?? `bad chunk size ${JSON.stringify(sizeText)}`);
      const size = parseInt(sizeText, 16);
      if (size === 0) {
        const end = buffer.indexOf('\r\n\r\n', lineEnd);
        if (end === -1 && buffer.subarray(lineEnd, lineEnd + 4).toString() !== '\r\n\r\n') return ended ? request(Buffer.concat(parts), false, buffer.length) : undefined;
        return request(Buffer.concat(parts), true, (end === -1 ? lineEnd : end) + 4);
      }
      if (lineEnd + 2 + size + 2 > buffer.length) return ended ? request(Buffer.concat([...parts, buffer.subarray(lineEnd + 2)]), false, buffer.length) : undefined;
      parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
      cursor = lineEnd + 2 + size + 2;
    }
  }
  const length = cl.length > 0 ? Number(cl[0]) : 0;
  if (!Number.isInteger(length) || length < 0) return request(Buffer.alloc(0), false, buffer.length, `bad Content-Length ${cl[0]}`);
  if (buffer.length < start + length) return ended ? request(buffer.subarray(start), false, buffer.length) : undefined;
  return request(buffer.subarray(start, start + length), true, start + length);
}
