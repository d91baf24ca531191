// Every JSON answer of the admin API against the schema its endpoint documents. The schemas are closed,
// so a field added to an answer or dropped from it fails here; the OpenAPI document carries each one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_ENDPOINTS, type AdminEndpoint } from '../../src/admin/admin-endpoints.js';
import { RouteViewSchema } from '../../src/control/route-view-schema.js';
import { adminCall } from '../helpers/admin-client.js';
import { freePort } from '../helpers/listen.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TOKEN = 'answers-admin-token-0123456789';
const CHANGE = 'answers-change-1';

interface Call {
  /** The endpoint as the table writes it: `GET /routes/:id`. */
  readonly endpoint: string;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * The calls, in order (later ones see what earlier ones changed). Each JSON endpoint needs at least
 * one, and the answers between them show every optional part: an override, an ignored override, a
 * progressive rollout, a breaker and a last failure, shadow settings and samples, an https service,
 * a decision with and without a bucket, a refusal.
 */
const CALLS: readonly Call[] = [
  { endpoint: 'GET /healthz', path: '/healthz' },
  { endpoint: 'GET /readyz', path: '/readyz' },
  { endpoint: 'GET /whoami', path: '/whoami' },
  { endpoint: 'GET /explain', path: '/explain?path=/api/search&cookie=a=b&user=id=42&ip=10.0.0.1' },
  { endpoint: 'GET /explain', path: '/explain?path=/api/search' },
  { endpoint: 'GET /explain', path: '/explain?path=/nowhere' },
  { endpoint: 'GET /explain', path: `/explain?path=${encodeURIComponent('/api%2Fsearch')}` },
  {
    endpoint: 'PUT /routes/:id/rollout',
    path: '/routes/orders/rollout',
    body: { percent: 25, cohorts: { staff: 'service' } },
    headers: { 'idempotency-key': CHANGE, 'x-figway-reason': 'schema check' },
  },
  { endpoint: 'GET /explain', path: '/explain?method=get&path=/api/orders/7&header=x-tenant:acme&header=x-staff:1' },
  { endpoint: 'GET /routes', path: '/routes' },
  { endpoint: 'GET /routes/:id', path: '/routes/orders' },
  { endpoint: 'GET /routes/:id', path: '/routes/search' },
  { endpoint: 'GET /routes/:id', path: '/routes/payments' },
  { endpoint: 'GET /routes/:id', path: '/routes/secure' },
  { endpoint: 'GET /routes/:id/shadow', path: '/routes/orders/shadow' },
  { endpoint: 'GET /routes/:id/shadow', path: '/routes/payments/shadow' },
  { endpoint: 'POST /routes/:id/progressive/pause', path: '/routes/search/progressive/pause' },
  { endpoint: 'POST /routes/:id/progressive/resume', path: '/routes/search/progressive/resume' },
  { endpoint: 'POST /routes/:id/progressive/promote', path: '/routes/search/progressive/promote' },
  { endpoint: 'POST /routes/:id/rollback', path: '/routes/search/rollback' },
  { endpoint: 'POST /routes/:id/rollback', path: '/routes/orders/rollback' },
  { endpoint: 'DELETE /routes/:id/rollout', path: '/routes/orders/rollout' },
  { endpoint: 'GET /kill-switch', path: '/kill-switch' },
  { endpoint: 'POST /kill-switch', path: '/kill-switch', body: { on: true } },
  { endpoint: 'GET /routes', path: '/routes' },
  { endpoint: 'POST /kill-switch', path: '/kill-switch', body: { on: false } },
  { endpoint: 'POST /reload', path: '/reload' },
  { endpoint: 'GET /stats', path: '/stats' },
  { endpoint: 'GET /map', path: '/map' },
  { endpoint: 'GET /audit', path: '/audit' },
  { endpoint: 'GET /audit', path: `/audit?change=${CHANGE}` },
];

const nameOf = (endpoint: AdminEndpoint) => `${endpoint.method} ${endpoint.path}`;
const JSON_ENDPOINTS = ADMIN_ENDPOINTS.filter((endpoint): endpoint is AdminEndpoint & { response: TSchema } => typeof endpoint.response !== 'string');

// As strict as the config's validator (src/config/validate-schema.ts), and dates checked as the API writes them.
const ajv = new Ajv({ allErrors: true, strict: true, multipleOfPrecision: 6, allowUnionTypes: true });
ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** What is wrong with `body` as an answer of `schema`: nothing, or ajv's errors. */
function problemsOf(schema: TSchema, body: unknown): string | undefined {
  const validate = ajv.compile(schema);
  if (validate(body)) return undefined;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('; ');
}

describe('admin API answers', () => {
  let dir: string;
  let service: Upstream;
  let monolith: Monolith;
  let admin: string;
  const answers: { call: string; answer: unknown }[] = [];
  const call = (method: string, target: string, body?: unknown, headers?: Record<string, string>) => adminCall(admin, TOKEN, method, target, body, headers);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-answers-'));
    service = await startUpstream('orders');
    const config = {
      admin: { port: 0, token: TOKEN },
      state: { store: 'file', path: 'state.json' },
      reload: { watch: false },
      cohorts: { staff: { header: { 'x-staff': '1' } } },
      upstreams: { secure: { url: 'https://127.0.0.1:9/base', tls: { insecure: true } } },
      routes: [
        {
          id: 'orders',
          description: 'Shadowed to the service while legacy serves',
          match: { path: '/api/orders', methods: ['GET'], headers: { 'x-tenant': true } },
          upstream: service.url,
          rewrite: { stripPrefix: '/api' },
          rollout: { percent: 0, sticky: ['header:x-user-id'] },
          timeouts: { response: '5s' },
          shadow: { percent: 100, samples: 5 },
          limits: { limit: 1000, window: '1m' },
        },
        { id: 'search', match: { path: '/api/search' }, upstream: service.url, rollout: { steps: [10, 50, 100], minStepTime: '1h', unkeyed: 'random' } },
        { id: 'payments', match: { path: '/api/payments' }, upstream: `http://127.0.0.1:${await freePort()}`, fallback: { breaker: { failures: 2, cooldown: '1h' } } },
        { id: 'secure', match: { path: '/api/secure' }, upstream: 'secure', rollout: { percent: 0 } },
        // An app plugin's route key: part of the route's config, not of the admin API's route view.
        { id: 'users', match: { path: '/api/users/:id' }, upstream: service.url, dataClass: 'personal' },
      ],
    };
    writeFileSync(path.join(dir, 'figway.yaml'), JSON.stringify(config));
    // A runtime change naming a cohort the file does not define: GET /routes lists it as ignored.
    const state = { revision: 1, routes: { users: { cohorts: { interns: 'service' } } }, killSwitch: false, progressive: {} };
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ state, audit: [] }));
    const dataClass = { name: 'data-class', routeKeys: { dataClass: { type: 'string' } }, setup: () => ({}) };
    monolith = await startMonolith(express, { config: path.join(dir, 'figway.yaml'), registry: new Registry(), plugins: [dataClass] });
    await monolith.gateway.ready;
    admin = monolith.gateway.adminUrl as string;
    for (const target of ['/api/orders', '/api/orders', '/api/search', '/api/payments', '/api/payments']) {
      await request(monolith.url, target, { headers: { 'x-tenant': 'acme', 'x-user-id': 'alice' } });
    }
    // Shadow copies are compared after the client's answer: wait for the samples.
    await vi.waitFor(async () => expect((await call('GET', '/routes/orders/shadow')).json<{ samples: unknown[] }>().samples).not.toHaveLength(0));
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls every JSON endpoint, so a new endpoint cannot go unchecked', () => {
    const called = new Set(CALLS.map((c) => c.endpoint));
    expect(JSON_ENDPOINTS.map(nameOf).filter((name) => !called.has(name))).toEqual([]);
    expect([...called].filter((name) => !JSON_ENDPOINTS.some((endpoint) => nameOf(endpoint) === name))).toEqual([]);
  });

  it("answers every call with a body its endpoint's schema accepts, no field more or less, optional parts included", async () => {
    const problems: string[] = [];
    for (const { endpoint: name, path: target, body, headers } of CALLS) {
      const endpoint = JSON_ENDPOINTS.find((e) => nameOf(e) === name) as (typeof JSON_ENDPOINTS)[number];
      const reply = await call(endpoint.method, target, body, headers);
      if (reply.status !== 200) problems.push(`${endpoint.method} ${target}: ${reply.status} ${reply.body}`);
      const answer = reply.json();
      answers.push({ call: `${endpoint.method} ${target}`, answer });
      const problem = problemsOf(endpoint.response, answer);
      if (problem) problems.push(`${endpoint.method} ${target}: ${problem}`);
    }
    expect(problems).toEqual([]);
    // Every optional part was in those answers, so the schemas of those parts were checked too.
    const answer = (call: string, index = 0) => answers.filter((a) => a.call === call)[index]?.answer;
    const routes = answer('GET /routes') as { routes: Record<string, unknown>[]; ignoredOverrides: unknown[] };
    const route = (id: string) => routes.routes.find((r) => r.id === id);
    expect(routes.ignoredOverrides).toHaveLength(1);
    expect(route('orders')).toMatchObject({ override: { percent: 25 }, shadow: { percent: 100 }, limits: expect.any(Object), rewrite: expect.any(Object), description: expect.any(String) });
    expect(route('search')).toMatchObject({ progressive: { nextAt: expect.any(String), guard: expect.any(Object) } });
    expect(route('payments')).toMatchObject({ breaker: 'open', lastUpstreamError: expect.any(Object), fallback: expect.any(Object) });
    expect(route('secure')).toMatchObject({ upstream: { tls: { verify: false } } });
    expect(answer('POST /routes/search/rollback')).toMatchObject({ progressive: { reason: expect.any(String) } });
    expect(answer('GET /routes/orders/shadow')).toMatchObject({ shadow: { percent: 100 }, samples: expect.arrayContaining([expect.objectContaining({ differences: expect.any(Array) })]) });
    expect(answer('GET /explain?path=/api/search&cookie=a=b&user=id=42&ip=10.0.0.1')).toMatchObject({ decision: { reason: 'bucket', bucket: expect.any(Number), stickyKey: 'user' } });
    expect(answer('GET /explain?path=/api/search')).toMatchObject({ decision: { reason: 'unkeyed' }, random: true });
    expect(answer('GET /explain?method=get&path=/api/orders/7&header=x-tenant:acme&header=x-staff:1')).toMatchObject({ decision: { reason: 'cohort', cohort: 'staff' } });
    expect(answer(`GET /explain?path=${encodeURIComponent('/api%2Fsearch')}`)).toMatchObject({ refused: expect.any(String) });
    expect(answer(`GET /audit?change=${CHANGE}`)).toMatchObject({ entries: [{ note: 'test-ops', reason: 'schema check', change: CHANGE, route: 'orders', before: expect.anything() }] });
    const stats = answer('GET /stats') as { strangled?: number; routes: { service: { p99?: number }; strangled?: number }[] };
    expect(stats.strangled).toBeTypeOf('number');
    expect(stats.routes.some((r) => r.service.p99 !== undefined && r.strangled !== undefined)).toBe(true);
  });

  it('fails an answer with a field more, or one less, than its schema', async () => {
    const orders = (await call('GET', '/routes/orders')).json();
    expect(problemsOf(RouteViewSchema, orders)).toBeUndefined();
    expect(problemsOf(RouteViewSchema, { ...orders, surprise: 1 })).toContain('must NOT have additional properties');
    const missing = { ...orders };
    delete missing.breaker;
    expect(problemsOf(RouteViewSchema, missing)).toContain("must have required property 'breaker'");
  });

  it('carries each JSON endpoint\'s schema in the OpenAPI document, and every other its media type', async () => {
    const document = (await call('GET', '/openapi.json')).json<{
      paths: Record<string, Record<string, { responses: { '200': { content: Record<string, { schema?: unknown }> } } }>>;
      components: { schemas: Record<string, unknown> };
    }>();
    const resolved = (schema: unknown): unknown => {
      if (Array.isArray(schema)) return schema.map(resolved);
      if (schema === null || typeof schema !== 'object') return schema;
      const ref = (schema as { $ref?: string }).$ref;
      if (ref !== undefined) return resolved(document.components.schemas[ref.replace('#/components/schemas/', '')]);
      return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolved(value)]));
    };
    for (const endpoint of ADMIN_ENDPOINTS) {
      const content = document.paths[endpoint.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[endpoint.method.toLowerCase()]?.responses['200'].content;
      if (typeof endpoint.response === 'string') expect(Object.keys(content ?? {}), nameOf(endpoint)).toEqual([endpoint.response.split(';')[0]]);
      else expect(resolved(content?.['application/json']?.schema), nameOf(endpoint)).toEqual(JSON.parse(JSON.stringify(endpoint.response)));
    }
    // One Route for the table and every route change.
    expect(document.paths['/routes/{id}']?.get?.responses['200'].content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Route' });
  });

  it('describes every field of every answer, for the OpenAPI document', () => {
    const undescribed: string[] = [];
    const walk = (schema: unknown, at: string): void => {
      if (Array.isArray(schema)) return schema.forEach((item, i) => walk(item, `${at}[${i}]`));
      if (schema === null || typeof schema !== 'object') return;
      for (const [key, value] of Object.entries(schema)) {
        if (key === 'properties') {
          for (const [field, property] of Object.entries(value as Record<string, { description?: unknown }>)) {
            if (typeof property.description !== 'string') undescribed.push(`${at}.${field}`);
          }
        }
        walk(value, `${at}.${key}`);
      }
    };
    for (const endpoint of JSON_ENDPOINTS) walk(endpoint.response, nameOf(endpoint));
    expect(undescribed).toEqual([]);
  });
});
