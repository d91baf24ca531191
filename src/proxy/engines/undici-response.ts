// The undici engine's handler of one exchange: the service's response written straight to the client's, with backpressure.
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { FigwayError } from '../../errors.js';
import type { Exchange, ServiceCall } from '../forwarder.js';
import { acceptsTrailers } from '../request-headers.js';
import { headersOf, passEarlyHints, passTrailers, responseFields } from '../response-headers.js';
import { fromUndiciError, isConnectionReset } from './undici-errors.js';
import { connectionClosing, hold, unhold, type HeldResponse } from './held-responses.js';
import { ExchangeTimeouts } from './undici-timeouts.js';

/**
 * Handles one request's dispatch, in undici's own handler interface (what its pools speak natively:
 * no adapter, no parsed-headers copy). Of the 1xx answers, 103 Early Hints are passed on; the
 * final head goes through the exchange, then every chunk is written to the response as it
 * comes, the service paused while the client cannot take more. A client that leaves aborts the
 * request to the service.
 */
export class ResponseWriter implements Dispatcher.DispatchHandler, HeldResponse {
  private readonly timeouts: ExchangeTimeouts;
  private abort: ((err?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  /** figway cancelled the exchange (the client left, or figway answered otherwise): what undici reports next is not news. */
  private cancelled = false;

  constructor(
    private readonly call: ServiceCall,
    private readonly exchange: Exchange,
    private readonly uploads: boolean,
  ) {
    const { ctx } = call;
    this.timeouts = new ExchangeTimeouts(ctx.compiled.timeouts, ctx.compiled.upstream.name, this);
    this.timeouts.queued();
    call.inFlight = this;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.cancelled) abort();
    else if (this.uploads) this.timeouts.uploading();
  }

  onBodySent(): void {
    this.timeouts.progressed();
  }

  onRequestSent(): void {
    this.timeouts.sent();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) {
      if (statusCode === 103) passEarlyHints(this.call.ctx.res, this.call.ctx.req, headersOf(rawHeaders));
      return true;
    }
    const { call, exchange } = this;
    const { ctx } = call;
    const { res, req, compiled } = ctx;
    this.timeouts.answered();
    let head: IncomingHttpHeaders | (string | string[])[] | undefined;
    if (exchange.answered(call, statusCode)) {
      if (compiled.hooks.onProxyResponse.length === 0) head = responseFields(rawHeaders, req, compiled);
      else {
        const headers = headersOf(rawHeaders);
        if (exchange.present(call, { statusCode, headers })) head = headers;
      }
    }
    if (head === undefined || res.headersSent || res.destroyed) {
      this.cancel();
      return false;
    }
    this.resume = resume;
    if (statusText) res.writeHead(statusCode, statusText, head);
    else res.writeHead(statusCode, head);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.timeouts.progressed();
    const { res } = this.call.ctx;
    if (res.write(chunk) || connectionClosing()) return true;
    hold(this);
    res.once('drain', () => this.release());
    return false;
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.finish();
    const { res, req } = this.call.ctx;
    if (trailers && trailers.length > 0 && acceptsTrailers(req)) passTrailers(res, trailers.map((field) => field.toString()));
    res.end();
  }

  /** The client can take more (or the connection is closing): the service may send again. */
  release(): void {
    unhold(this);
    this.timeouts.progressed();
    this.resume?.();
  }

  onError(err: Error): void {
    this.finish();
    if (this.cancelled) return;
    const { ctx } = this.call;
    this.exchange.fail(this.call, fromUndiciError(err, ctx.compiled.upstream.name), !ctx.res.headersSent && isConnectionReset(err));
  }

  /** The client went away before its response ended. */
  clientGone(): void {
    this.cancel();
  }

  /**
   * One of the exchange's timeouts passed. A request still waiting in the pool cannot be taken
   * out of its queue: it is answered now, and cancelled the moment the pool gives it a connection.
   */
  expired(error: FigwayError): void {
    if (this.abort) {
      this.abort(error);
      return;
    }
    this.cancelled = true;
    this.finish();
    this.exchange.fail(this.call, error, false);
  }

  private finish(): void {
    unhold(this);
    this.timeouts.clear();
    if (this.call.inFlight === this) this.call.inFlight = undefined;
  }

  private cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.abort?.();
  }
}
