// One side's response, as shadow traffic keeps it for the comparison.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A response kept for comparison. `body` is undefined when it was larger than shadow.maxBody. */
export interface Captured {
  readonly status: number;
  readonly headers: IncomingHttpHeaders | OutgoingHttpHeaders;
  readonly body: Buffer | undefined;
}
