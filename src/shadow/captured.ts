// One side's response, as shadow traffic keeps it for the comparison.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A response kept for comparison. `body` is undefined when it was larger than shadow.maxBody. */
export interface Captured {
  readonly status: number;
  readonly headers: IncomingHttpHeaders | OutgoingHttpHeaders;
  readonly body: Buffer | undefined;
}

/** Collects chunks up to `limit` bytes; past it, drops them and remembers the body was too large. */
export class BodyCollector {
  private chunks: Buffer[] = [];
  private size = 0;
  private over = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    if (this.over) return;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.over = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
  }

  /** The body, or undefined when it went past the limit. */
  body(): Buffer | undefined {
    return this.over ? undefined : Buffer.concat(this.chunks, this.size);
  }
}
