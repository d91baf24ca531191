// A body kept in memory up to a limit: past it, the bytes are dropped and only the overflow is remembered.

/**
 * Collects chunks up to `limit` bytes, so a large body never costs more than the limit.
 *
 * @example
 * ```ts
 * const collector = new BodyCollector(256 * 1024);
 * stream.on('data', (chunk: Buffer) => collector.add(chunk));
 * stream.on('end', () => use(collector.body())); // undefined when it was larger than the limit
 * ```
 */
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
    if (this.over) return undefined;
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
  }
}
