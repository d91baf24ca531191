// A real upstream service on an ephemeral loopback port that records what it received.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { listen, type Listening } from './listen.js';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface Upstream extends Listening {
  /** Every request received, in order. */
  readonly received: Received[];
  /** The last request received. */
  last(): Received;
}

type Handler = (req: IncomingMessage, res: ServerResponse, received: Received) => void;

/** Answers JSON `{ service, method, url }` unless given a handler; records every request with its body. */
export async function startUpstream(name = 'service', handler?: Handler): Promise<Upstream> {
  const received: Received[] = [];
  const listening = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      received.push(entry);
      if (handler) return handler(req, res, entry);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ service: name, method: entry.method, url: entry.url }));
    });
  });
  return {
    ...listening,
    received,
    last() {
      const entry = received.at(-1);
      if (!entry) throw new Error(`${name} received no request`);
      return entry;
    },
  };
}
