// Request ids and W3C trace context, as the service and the client see them.
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe.each(GATEWAY_SETUPS)('trace context and request ids ($label)', ({ mode, engine }) => {
  let service: Upstream;
  let monolith: Monolith;
  let logs: CapturedLogs;

  beforeAll(async () => {
    service = await startUpstream('orders');
    logs = captureLogs();
    monolith = await startMonolith(express, { logger: logs.logger, config: { routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url }] } }, { mode, engine });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('continues a valid incoming trace with a new parent span, and forwards tracestate', async () => {
    await request(monolith.url, '/api/orders/1', { headers: { traceparent: PARENT, tracestate: 'vendor=abc' } });
    const seen = service.last().headers;
    const [version, traceId, spanId, flags] = (seen.traceparent as string).split('-');
    expect([version, traceId, flags]).toEqual(['00', TRACE_ID, '01']);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe('00f067aa0ba902b7');
    expect(seen.tracestate).toBe('vendor=abc');
    await expect.poll(() => logs.lines.find((line) => line.traceId === TRACE_ID)).toBeDefined();
  });

  it('starts a new, sampled trace when the incoming one is absent or invalid, dropping its tracestate', async () => {
    for (const traceparent of [undefined, 'garbage', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `ff-${TRACE_ID}-00f067aa0ba902b7-01`]) {
      await request(monolith.url, '/api/orders/2', { headers: traceparent ? { traceparent, tracestate: 'vendor=abc' } : {} });
      const seen = service.last().headers;
      expect(seen.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(seen.traceparent).not.toContain(TRACE_ID);
      expect(seen.tracestate).toBeUndefined();
    }
  });

  it('keeps a safe incoming X-Request-Id, sends it to the service and echoes it to the client', async () => {
    const reply = await request(monolith.url, '/api/orders/3', { headers: { 'x-request-id': 'abc-123' } });
    expect(reply.headers['x-request-id']).toBe('abc-123');
    expect(service.last().headers['x-request-id']).toBe('abc-123');
  });

  it('replaces a missing or unsafe request id with a UUID', async () => {
    for (const id of [undefined, 'has space', 'x'.repeat(200)]) {
      const reply = await request(monolith.url, '/api/orders/4', { headers: id ? { 'x-request-id': id } : {} });
      expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(service.last().headers['x-request-id']).toBe(reply.headers['x-request-id']);
    }
  });
});
