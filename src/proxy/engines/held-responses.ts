// Responses whose service figway holds back for a slow client, and what a closing connection must do with them.

/** An exchange that paused undici's parser (its client could not take more) and can let it go. */
export interface HeldResponse {
  /** Resumes the parser, taking what the service still sends whatever the client's pace. */
  release(): void;
}

const held = new Set<HeldResponse>();
let closing = false;

/** The exchange paused undici's parser for backpressure. */
export function hold(response: HeldResponse): void {
  held.add(response);
}

/** The exchange resumed, or ended. */
export function unhold(response: HeldResponse): void {
  held.delete(response);
}

/** A connection is closing this very moment: no exchange may pause undici's parser until it is done. */
export function connectionClosing(): boolean {
  return closing;
}

/**
 * A connection to a service ended or failed. undici 7 then finishes its parser, and asserts that
 * it is not paused: with a response held back for a slow client, that assertion kills the process
 * (nodejs/undici#5360, fixed in undici 8 only, which needs Node 22). So, before undici's own
 * listener runs (this one is added first, when the connection opens), every held response is let
 * go and none may pause again until this event is over. Which exchange the ending connection
 * carries is not known here, so all are released: the others take at most what their own
 * connection already buffered beyond their client's pace, then pause again.
 */
export function releaseHeld(): void {
  if (held.size === 0) return;
  closing = true;
  for (const response of [...held]) response.release();
  queueMicrotask(() => (closing = false));
}
