// The timeouts of one exchange through undici, on Node's own timers and with the meaning the other engine gives them.
import { FigwayError } from '../../errors.js';

/** A route's limits, in milliseconds (idle 0: none). */
export interface ExchangeLimits {
  readonly response: number;
  readonly idle: number;
}

type Phase = 'queued' | 'upload' | 'response' | 'download';

/**
 * The limits of one request: `response` while it waits for a pooled connection (a pool whose
 * connections are all busy must not hold a request for good), `idle` while the request body goes
 * out (a service that stops reading an upload), `response` again from the moment the request is
 * fully sent until the final response head, then `idle` between response chunks. A client that
 * stops reading stops the chunks too: its response is cut after `idle`, as with the other engine,
 * so a client cannot hold a service connection for good. undici's own timers are coarse (they may
 * fire up to a second late, too late for a 300 ms timeout a fallback relies on), so they are not used.
 *
 * One timer serves every phase: progress only notes the time, and a timer that fires early for the
 * phase it finds is armed again for what is left. A request that is answered before its response
 * timeout (nearly all) costs one timer set, refreshed once, and cleared.
 */
export class ExchangeTimeouts {
  private timer: NodeJS.Timeout | undefined;
  private phase: Phase = 'queued';
  /** performance.now() of the last progress while a body streams, or when the response is due. */
  private mark = 0;

  constructor(
    private readonly limits: ExchangeLimits,
    private readonly upstream: string,
    private readonly owner: { expired(error: FigwayError): void },
  ) {}

  /** The request is handed to the pool, which may have to wait for a connection. */
  queued(): void {
    this.phase = 'queued';
    this.arm(this.limits.response);
  }

  /** The request body started going out. */
  uploading(): void {
    this.phase = 'upload';
    this.mark = performance.now();
    this.arm(this.limits.idle);
  }

  /** Part of a body (the request's or the response's) went through: the idle time starts again. */
  progressed(): void {
    this.mark = performance.now();
  }

  /** The whole request is sent: the service has `response` ms for its response head (unless it answered already). */
  sent(): void {
    if (this.phase === 'download') return;
    const queued = this.phase === 'queued';
    this.phase = 'response';
    this.mark = performance.now() + this.limits.response;
    // Straight from the queue the running timer has the same length: it starts again from now.
    if (queued && this.timer !== undefined) this.timer.refresh();
    else this.arm(this.limits.response);
  }

  /** The final response head arrived: the body may go silent for `idle` ms at most. */
  answered(): void {
    const now = performance.now();
    const { idle } = this.limits;
    const due = this.phase === 'response' ? this.mark : now;
    this.phase = 'download';
    this.mark = now;
    // The running timer does when it fires before the idle limit would; otherwise a closer one is needed.
    if (idle > 0 && (this.timer === undefined || now + idle < due)) this.arm(idle);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The timer went off: expire the exchange, or arm again for what is left of its idle time. */
  fired(): void {
    this.timer = undefined;
    const { phase, limits, upstream } = this;
    if (phase === 'queued') {
      this.owner.expired(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `${upstream} had no free connection for the request within ${limits.response} ms`));
      return;
    }
    if (phase === 'response') {
      this.owner.expired(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `${upstream} sent no response headers within ${limits.response} ms`));
      return;
    }
    if (limits.idle === 0) return;
    const quiet = performance.now() - this.mark;
    if (quiet < limits.idle) {
      this.timer = setTimeout(fire, limits.idle - quiet, this);
      return;
    }
    const what = phase === 'upload' ? 'stopped taking the request body' : 'went silent mid-response';
    this.owner.expired(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `${upstream} ${what} within ${limits.idle} ms`));
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = ms > 0 ? setTimeout(fire, ms, this) : undefined;
  }
}

// One function for every timer, given its exchange, rather than a closure per request.
function fire(timeouts: ExchangeTimeouts): void {
  timeouts.fired();
}
