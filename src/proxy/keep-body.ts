// Keeps a copy of request bodies that a body parser may read before figway gets to forward them.
import type { IncomingMessage } from 'node:http';
import { peekRecord, recordOf } from '../request-record.js';
import { BodyCollector } from './body-collector.js';

/** What was kept of a body that something read before figway. */
export type ReplayableBody = { ok: true; body: Buffer } | { ok: false; reason: 'not-kept' | 'too-large' };

/**
 * Starts keeping the raw bytes of `req`'s body (after chunked decoding, before any content
 * decoding: exactly what the client sent) by observing the stream's `push`, without consuming it.
 * Must run before anything reads the body, i.e. in front of the app's parsers. At most `limit`
 * bytes are kept; past that the copy is dropped and only its size is remembered.
 */
export function keepBody(req: IncomingMessage, limit: number): void {
  const record = recordOf(req);
  if (record.kept !== undefined || req.readableLength > 0 || req.readableDidRead) return;
  record.kept = { collector: new BodyCollector(limit), complete: false };
  const push = req.push;
  req.push = function keepPushedChunk(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    const { kept } = record;
    // Once stopped, chunks are passed straight on.
    if (kept) {
      if (chunk === null) kept.complete = true;
      else if (Buffer.isBuffer(chunk)) kept.collector.add(chunk);
    }
    return push.call(this, chunk, encoding);
  };
}

/**
 * Stops keeping the body of `req` and drops the copy (the stream was not consumed: it is forwarded
 * as is). The wrapper stays and passes chunks on: deleting a property of the request would turn it
 * into a slower dictionary-mode object for the rest of its life.
 */
export function stopKeeping(req: IncomingMessage): void {
  const record = peekRecord(req);
  if (record?.kept) record.kept = null;
}

/** Whether something (a body parser) has already read the request body. */
export function bodyWasRead(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded;
}

/** The kept bytes of a body something already read, and stops keeping. */
export function takeKeptBody(req: IncomingMessage): ReplayableBody {
  const kept = peekRecord(req)?.kept;
  stopKeeping(req);
  if (!kept || !kept.complete) return { ok: false, reason: 'not-kept' };
  const body = kept.collector.body();
  return body === undefined ? { ok: false, reason: 'too-large' } : { ok: true, body };
}

/** Whether a request announces a body (so keeping it may matter). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
