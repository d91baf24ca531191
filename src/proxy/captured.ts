// One side's response as the forwarder (or the legacy side) captured it for shadow traffic's comparison.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A response kept for comparison. `body` is undefined when it was larger than shadow.maxBody. */
export interface Captured {
  readonly status: number;
  readonly headers: IncomingHttpHeaders | OutgoingHttpHeaders;
  readonly body: Buffer | undefined;
}
