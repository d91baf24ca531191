// One timer for an exchange's phases: response while queued, idle while uploading, response until the head, idle while downloading.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FigwayError } from '../../../src/errors.js';
import { ExchangeTimeouts } from '../../../src/proxy/engines/undici-timeouts.js';

describe('ExchangeTimeouts', () => {
  let expired: FigwayError[];
  const owner = { expired: (error: FigwayError) => void expired.push(error) };
  const timeouts = (response: number, idle: number) => new ExchangeTimeouts({ response, idle }, 'orders', owner);
  const messages = () => expired.map((e) => `${e.code} ${e.message}`);

  beforeEach(() => {
    expired = [];
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => vi.useRealTimers());

  it('gives the service `response` ms from the end of the request to its head', () => {
    const t = timeouts(400, 60_000);
    t.sent();
    vi.advanceTimersByTime(399);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(messages()).toEqual(['FIGWAY_UPSTREAM_TIMEOUT orders sent no response headers within 400 ms']);
  });

  it('counts idle time between response chunks, and a chunk starts it again', () => {
    const t = timeouts(30_000, 300);
    t.sent();
    vi.advanceTimersByTime(100);
    t.answered();
    vi.advanceTimersByTime(250);
    t.progressed();
    vi.advanceTimersByTime(250);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(messages()).toEqual(['FIGWAY_UPSTREAM_TIMEOUT orders went silent mid-response within 300 ms']);
  });

  it('keeps the response timer when it falls before the idle limit would, and checks idle time when it fires', () => {
    const t = timeouts(400, 60_000);
    t.sent();
    vi.advanceTimersByTime(300);
    t.answered();
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(messages()).toEqual(['FIGWAY_UPSTREAM_TIMEOUT orders went silent mid-response within 60000 ms']);
  });

  it('gives a request waiting for a pooled connection `response` ms, then `response` again once it is sent', () => {
    const waiting = timeouts(400, 60_000);
    waiting.queued();
    vi.advanceTimersByTime(400);
    expect(messages()).toEqual(['FIGWAY_UPSTREAM_TIMEOUT orders had no free connection for the request within 400 ms']);

    expired = [];
    const t = timeouts(400, 60_000);
    t.queued();
    vi.advanceTimersByTime(300);
    t.sent();
    vi.advanceTimersByTime(399);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(messages()).toEqual(['FIGWAY_UPSTREAM_TIMEOUT orders sent no response headers within 400 ms']);
  });

  it('times an upload by its idle time, and no response timer starts once the service answered early', () => {
    const t = timeouts(300, 0);
    t.queued();
    t.uploading();
    t.answered();
    t.sent();
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual([]);

    const stalled = timeouts(30_000, 200);
    stalled.uploading();
    vi.advanceTimersByTime(150);
    stalled.progressed();
    vi.advanceTimersByTime(199);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(messages()).toEqual(['FIGWAY_UPSTREAM_TIMEOUT orders stopped taking the request body within 200 ms']);
  });

  it('stops every timer when cleared', () => {
    const t = timeouts(100, 100);
    t.sent();
    t.clear();
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual([]);
  });
});
