// The admin page over HTTP: served by the admin listener without a token, from figway's own files, under a strict CSP.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PAGE_ASSETS } from '../../src/admin/admin-page.js';
import { adminCall } from '../helpers/admin-client.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';

const TOKEN = 'test-admin-token-0123456789';
const UI_DIR = path.resolve(import.meta.dirname, '../../src/admin/ui');

describe('admin page over HTTP', () => {
  let monolith: Monolith;
  let admin: string;
  const get = (p: string) => request(admin, p);

  beforeAll(async () => {
    monolith = await startMonolith(express, {
      config: { admin: { port: 0, token: TOKEN }, reload: { watch: false }, routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: 'http://127.0.0.1:9' }] },
      registry: new Registry(),
    });
    await monolith.gateway.ready;
    admin = monolith.gateway.adminUrl as string;
  });
  afterAll(() => monolith.close());

  it('serves the page at / without a token, never cached, under a CSP that allows nothing inline or remote', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toMatch(/(^|; )default-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(page.body).toContain('<script type="module" src="/ui/app.js"></script>');
    expect(page.body).toContain('href="/ui/app.css"');
  });

  it('holds no data and nothing that needs the network beyond figway, and no inline script or style', async () => {
    const { body } = await get('/');
    expect(body).not.toContain(TOKEN);
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(body).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    for (const file of readdirSync(UI_DIR)) {
      expect(readFileSync(path.join(UI_DIR, file), 'utf8'), file).not.toMatch(/(src|href|url)\s*[=(]\s*["']?(https?:)?\/\/|\.(inner|outer)HTML\b|insertAdjacentHTML|localStorage|eval\(/);
    }
    expect((await adminCall(admin, undefined, 'GET', '/routes')).status).toBe(401);
  });

  it('serves every asset with its content type, and only the listed ones', async () => {
    const expected: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
    for (const name of ADMIN_PAGE_ASSETS) {
      const asset = await get(`/ui/${name}`);
      expect(asset.status, name).toBe(200);
      expect(asset.headers['content-type'], name).toBe(expected[path.extname(name)]);
      expect(asset.headers['x-content-type-options'], name).toBe('nosniff');
      expect(asset.body).toBe(readFileSync(path.join(UI_DIR, name), 'utf8'));
    }
    for (const probe of ['/ui/index.html', '/ui/nope.js', '/ui/..%2Fadmin-page.ts', '/ui/../admin-page.ts', '/ui/']) {
      const reply = await get(probe);
      expect(reply.status, probe).toBe(404);
      expect(reply.json(), probe).toMatchObject({ error: { code: 'FIGWAY_ADMIN_NOT_FOUND' } });
    }
  });

  it('lists every file of the page, and every module the scripts import, so the page never loads half', () => {
    const onDisk = readdirSync(UI_DIR).filter((f) => f !== 'index.html');
    expect([...ADMIN_PAGE_ASSETS].sort()).toEqual(onDisk.sort());
    for (const file of onDisk.filter((f) => f.endsWith('.js'))) {
      for (const [, imported] of readFileSync(path.join(UI_DIR, file), 'utf8').matchAll(/from '\.\/([\w-]+\.js)'/g)) {
        expect(ADMIN_PAGE_ASSETS, `${file} imports ${imported}`).toContain(imported);
      }
    }
  });

  it('documents the page in the OpenAPI document as open, next to the token-protected API', async () => {
    const openapi = (await adminCall(admin, TOKEN, 'GET', '/openapi.json')).json<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>();
    expect(openapi.paths['/']?.get?.security).toEqual([]);
    expect(openapi.paths['/ui/app.js']?.get?.security).toEqual([]);
    expect(openapi.paths['/routes']?.get?.security).toBeUndefined();
  });
});
