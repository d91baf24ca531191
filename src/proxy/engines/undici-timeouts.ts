// The timeouts of one exchange through undici, on Node's own timers and with the meaning the other engine gives them.
import { FigwayError } from '../../errors.js';

/** A route's limits, in milliseconds (idle 0: none). */
export interface ExchangeLimits {
  readonly response: number;
  readonly idle: number;
}

type Phase = 'upload' | 'response' | 'download';

/**
 * One timer per request, re-armed as the exchange moves on: `idle` while the request body goes out
 * (a service that stops reading an upload), `response` from the moment the request is fully sent
 * until the final response head, then `idle` between response chunks (not while figway holds the
 * service back because the client is slow). undici's own timers are coarse (they may fire up to a
 * second late, too late for a 300 ms timeout a fallback relies on), so they are not used.
 */
export class ExchangeTimeouts {
  private timer: NodeJS.Timeout | undefined;
  private phase: Phase = 'upload';

  constructor(
    private readonly limits: ExchangeLimits,
    private readonly upstream: string,
    private readonly expire: (error: FigwayError) => void,
  ) {}

  /** The request body started going out. */
  uploading(): void {
    this.arm('upload', this.limits.idle);
  }

  /** Part of the request body, or of the response body, went through: the idle time starts again. */
  progressed(): void {
    this.timer?.refresh();
  }

  /** The whole request is sent: the service has `response` ms for its response head. */
  sent(): void {
    this.arm('response', this.limits.response);
  }

  /** The final response head arrived: the body may go silent for `idle` ms at most. */
  answered(): void {
    this.arm('download', this.limits.idle);
  }

  /** The client cannot take more, so figway paused the service: its silence is figway's doing. */
  paused(): void {
    clearTimeout(this.timer);
  }

  resumed(): void {
    this.arm('download', this.limits.idle);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(phase: Phase, ms: number): void {
    clearTimeout(this.timer);
    this.phase = phase;
    this.timer = ms > 0 ? setTimeout(this.fire, ms) : undefined;
  }

  private readonly fire = (): void => {
    const { phase, limits, upstream } = this;
    this.timer = undefined;
    if (phase === 'response') this.expire(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `${upstream} sent no response headers within ${limits.response} ms`));
    else if (phase === 'upload') this.expire(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `${upstream} stopped taking the request body within ${limits.idle} ms`));
    else this.expire(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `${upstream} went silent mid-response within ${limits.idle} ms`));
  };
}
