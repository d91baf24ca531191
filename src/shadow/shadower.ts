// Shadow traffic: a copy of a request goes to the side that did not serve it, and the answers are compared.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../context.js';
import { redactUrl } from '../observe/redact.js';
import type { Forwarder } from '../proxy/forwarder.js';
import { hasBody } from '../proxy/keep-body.js';
import { BUCKETS } from '../rollout/bucket.js';
import type { Side } from '../rollout/decision.js';
import type { CompiledShadow } from './compile-shadow.js';
import { withTimeout } from '../with-timeout.js';
import { callLegacy, SHADOW_HEADER } from './call-legacy.js';
import { captureResponse } from './capture-response.js';
import type { Captured } from '../proxy/captured.js';
import { compareResponses } from './compare-responses.js';
import type { ShadowBook, ShadowSample } from './shadow-book.js';

const NO_REDACTION = new Set<string>();

/**
 * One per gateway. For a shadowed route, `consider` picks the route's share of requests (safe
 * methods by default, never one with a body) and tees the response the client gets; only once
 * that response has finished does the copy go to the other side, so the client never waits for
 * it. At most `concurrency` copies run at once per process; more are skipped, which bounds memory.
 */
export class Shadower {
  /** Known only to this process: a client cannot make figway treat its request as a copy. */
  private readonly marker = randomBytes(16).toString('hex');
  private inFlight = 0;

  constructor(
    private readonly book: ShadowBook,
    private readonly random: () => number,
    private readonly now: () => number,
    /** The engine a request of the route would go through: the copy to the service goes the same way. */
    private readonly forwarderFor: (ctx: RequestContext) => Forwarder,
  ) {}

  /** A copy this gateway made for the legacy side: the monolith's handler serves it, figway does nothing else. */
  isCopy(req: IncomingMessage): boolean {
    if (req.headers[SHADOW_HEADER] !== this.marker) return false;
    delete req.headers[SHADOW_HEADER];
    return true;
  }

  consider(ctx: RequestContext, shadow: CompiledShadow): void {
    if (!shadow.methods.has(ctx.req.method ?? '') || this.random() * BUCKETS >= shadow.threshold) return;
    // The kill switch and an open circuit breaker keep traffic off the service: copies too.
    const reason = ctx.decision?.reason;
    if (reason === 'kill-switch' || reason === 'breaker-open') return;
    const id = ctx.compiled.id;
    // A copy carries no body: a request with one is not copied rather than copied wrong.
    if (hasBody(ctx.req) || this.inFlight >= shadow.concurrency) {
      this.book.record(id, 'skipped');
      return;
    }
    this.inFlight += 1;
    const primary = captureResponse(ctx.res, shadow.maxBodyBytes);
    const at = new Date(this.now()).toISOString();
    ctx.res.once('close', () => {
      if (!ctx.res.writableFinished || ctx.fellBack || ctx.decision === undefined) {
        this.inFlight -= 1;
        this.book.record(id, 'skipped');
        return;
      }
      this.shadowOf(ctx, shadow, primary(), at);
    });
  }

  private shadowOf(ctx: RequestContext, shadow: CompiledShadow, primary: Captured, at: string): void {
    const id = ctx.compiled.id;
    const primarySide: Side = ctx.decision?.side === 'service' ? 'service' : 'legacy';
    const shadowSide: Side = primarySide === 'service' ? 'legacy' : 'service';
    const call = shadowSide === 'legacy' ? callLegacy(ctx, this.marker, shadow.maxBodyBytes) : this.forwarderFor(ctx).fetch(ctx, { maxBody: shadow.maxBodyBytes, timeoutMs: shadow.timeoutMs });
    // The slot is freed when the copy really ends: a legacy handler cannot be cut off, only stopped waiting for.
    void call.then(
      () => (this.inFlight -= 1),
      () => (this.inFlight -= 1),
    );
    const sample = (other: ShadowSampleSide, differences: string[]): ShadowSample => ({
      at,
      request: { method: ctx.req.method ?? 'GET', path: redactUrl(`${ctx.path}${ctx.search}`, NO_REDACTION) },
      primary: { side: primarySide, status: primary.status },
      shadow: { side: shadowSide, ...other },
      differences,
    });
    withTimeout(call, shadow.timeoutMs, 'FIGWAY_UPSTREAM_TIMEOUT').then(
      (other) => {
        if (primary.body === undefined || other.body === undefined) {
          this.book.record(id, 'skipped');
          return;
        }
        const differences = compareResponses(primary, other, { headers: shadow.headers, ignore: shadow.ignore, maxBodyBytes: shadow.maxBodyBytes });
        if (differences.length === 0) this.book.record(id, 'match');
        else this.book.record(id, 'mismatch', sample({ status: other.status }, differences), shadow.samples);
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.book.record(id, 'error', sample({ error: message }, [`${shadowSide} failed: ${message}`]), shadow.samples);
      },
    );
  }
}

type ShadowSampleSide = { status: number } | { error: string };
