// Keeps a copy of what the primary side sends the client, without changing a byte of it.
import type { ServerResponse } from 'node:http';
import { BodyCollector } from '../proxy/body-collector.js';
import type { Captured } from '../proxy/captured.js';

/**
 * Tees `res.write` and `res.end` into a collector capped at `maxBody` bytes, so whichever side
 * answers (the proxy piping the service's response, or the monolith's handler) is seen the same
 * way. Returns a function that reads the captured response once it has finished; `onEnd`, when
 * given, is called with it as soon as the writer ends the response.
 */
export function captureResponse(res: ServerResponse, maxBody: number, onEnd?: (captured: Captured) => void): () => Captured {
  const collector = new BodyCollector(maxBody);
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (typeof chunk === 'string') collector.add(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    // A copy: the writer may reuse its buffer once the write returns.
    else if (chunk instanceof Uint8Array) collector.add(Buffer.from(chunk));
  };
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    keep(args[0], args[1]);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  const read = (): Captured => ({ status: res.statusCode, headers: res.getHeaders(), body: collector.body() });
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (typeof args[0] !== 'function') keep(args[0], args[1]);
    const result = (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    onEnd?.(read());
    return result;
  } as ServerResponse['end'];
  return read;
}
