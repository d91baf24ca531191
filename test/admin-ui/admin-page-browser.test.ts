// The admin page in a real browser (Debian's chromium, headless): sign in, read the routes, change rollouts, the kill switch, the audit log.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminCall } from '../helpers/admin-client.js';
import { CHROMIUM_MISSING, launchChromium, type Chromium } from '../helpers/chromium.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TOKEN = 'test-admin-token-0123456789';
const READ_TOKEN = 'test-dashboard-token-0123456789';

const yaml = (upstream: string) => `
admin:
  port: 0
  token: ${TOKEN}
  tokens: [{ name: dashboard, token: ${READ_TOKEN}, role: read }]
state: { store: file, path: state.json }
upstreams:
  reports-tls: { url: "https://127.0.0.1:9", tls: { insecure: true } }
reload: { watch: false }
routes:
  - id: orders
    description: Order history and checkout
    match: { path: /api/orders, methods: [GET, POST] }
    upstream: ${upstream}
    rollout: { percent: 10, sticky: [header:x-user-id] }
    limits: { limit: 100, window: 1m }
  - id: users
    match: { path: /api/users/:id }
    upstream: ${upstream}
    auth: none
  - id: search
    match: { path: /api/search, host: shop.example }
    upstream: ${upstream}
    rollout: { percent: 0 }
  - id: reports
    match: { path: /api/reports }
    upstream: reports-tls
    rollout: { percent: 0 }
  - id: billing
    match: { path: /api/billing }
    upstream: "http://127.0.0.1:1"
    fallback: { breaker: { failures: 1, cooldown: 10m } }
  - id: catalog
    match: { path: /api/catalog }
    upstream: ${upstream}
    rollout: { steps: [5, 25, 100], minStepTime: 1h }
    shadow: { percent: 100 }
`;

describe.skipIf(CHROMIUM_MISSING !== undefined)(CHROMIUM_MISSING ?? 'admin page in chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let service: Upstream;
  let monolith: Monolith;
  let admin: string;
  let browser: Chromium;
  let page: Page;
  const requested: { url: string; authorization: string | undefined }[] = [];
  const problems: string[] = [];
  // What the API says, to check the page's actions took effect there and not only on screen.
  const rolloutOf = async (id: string) => (await adminCall(admin, TOKEN, 'GET', `/routes/${id}`)).json<{ rollout: { percent: number; source: string } }>().rollout;
  const killSwitchOn = async () => (await adminCall(admin, TOKEN, 'GET', '/kill-switch')).json<{ on: boolean }>().on;
  // An expression rather than a function: the test is compiled without the DOM library.
  const inPage = (expression: string) => page.evaluate(expression);
  const row = (id: string) => page.locator(`tr[data-route="${id}"]`);
  const dialog = () => page.locator('#confirm');
  const notice = () => page.locator('#notice');

  async function confirmDialog(title: string, answer: 'confirm' | 'cancel' = 'confirm', reason?: string) {
    await dialog().waitFor({ state: 'visible' });
    expect(await page.locator('#confirm-title').textContent()).toBe(title);
    if (reason !== undefined) await page.fill('#confirm-reason', reason);
    await dialog().locator(`button[value="${answer}"]`).click();
    await dialog().waitFor({ state: 'hidden' });
  }

  async function signIn(token: string, actor = 'ui-test') {
    await page.fill('#token', token);
    await page.fill('#actor', actor);
    await page.click('#login-form button[type="submit"]');
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-admin-ui-'));
    writeFileSync(path.join(dir, 'figway.yaml'), yaml((service = await startUpstream('new-service')).url));
    monolith = await startMonolith(express, { config: path.join(dir, 'figway.yaml'), registry: new Registry() });
    await monolith.gateway.ready;
    admin = monolith.gateway.adminUrl as string;
    for (let i = 0; i < 20; i++) await request(monolith.url, '/api/orders', { headers: { 'x-user-id': `user-${i}` } });
    for (let i = 0; i < 5; i++) await request(monolith.url, `/api/users/${i}`);
    // The billing service is down: legacy serves through fallback, and the breaker opens.
    await request(monolith.url, '/api/billing');
    // Unkeyed catalog requests are served by legacy; each copy to the service answers differently.
    for (let i = 0; i < 3; i++) await request(monolith.url, `/api/catalog?page=${i}`);
    await vi.waitFor(async () => expect((await adminCall(monolith.gateway.adminUrl as string, TOKEN, 'GET', '/routes/catalog/shadow')).json<{ compared: number }>().compared).toBe(3));
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('request', (r) => requested.push({ url: r.url(), authorization: r.headers().authorization }));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${admin}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await monolith?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong token with the API\'s message and stays on the sign-in form', async () => {
    await page.locator('#login').waitFor({ state: 'visible' });
    await signIn('not-the-token-at-all');
    await expect.poll(() => page.locator('#login-error').textContent()).toBe('wrong admin token');
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(await inPage('sessionStorage.getItem("figway.admin.token")')).toBeNull();
  });

  it('signs in and shows every route: match, upstream, auth, limits, rollout and its source, live figures', async () => {
    await signIn(TOKEN);
    await row('orders').waitFor();
    expect(await page.locator('#login').isHidden()).toBe(true);
    const orders = (await row('orders').innerText()).replace(/\s+/g, ' ');
    for (const text of ['orders', 'Order history and checkout', '/api/orders', 'GET POST', new URL(service.url).host, 'default', '100 / 1m', '10%', 'file', 'sticky header:x-user-id']) {
      expect(orders).toContain(text);
    }
    expect(await row('users').locator('td.auth').innerText()).toBe('none');
    expect(await row('search').locator('td.match').innerText()).toContain('host shop.example');
    expect(await row('users').locator('td.side.service').innerText()).toMatch(/req\/s[\s\S]*errors[\s\S]*0%[\s\S]*p99/);
    expect(await row('users').locator('td.strangled').innerText()).toContain('100%');
    expect(await row('search').locator('td.side.legacy').innerText()).toBe('no traffic');
    expect(await page.locator('#strangled').innerText()).toMatch(/^\d+(\.\d+)?%$/);
    expect(await page.locator('#kill-state').innerText()).toBe('off');
    // Only catalog has steps or shadow traffic: the other routes show no such part.
    expect(await page.locator('tr.extras:visible').count()).toBe(1);
    expect(await page.locator('tr[data-extras="catalog"]').isVisible()).toBe(true);
  });

  it('refreshes the live figures every few seconds', async () => {
    for (let i = 0; i < 6; i++) await request(monolith.url, '/api/search', { headers: { host: 'shop.example' } });
    await expect.poll(() => row('search').locator('td.side.legacy').innerText(), { timeout: 10_000 }).toContain('req/s');
  });

  it('keeps the token in session storage and the Authorization header only, and loads nothing from elsewhere', async () => {
    expect(await inPage('sessionStorage.getItem("figway.admin.token")')).toBe(TOKEN);
    expect(await inPage('localStorage.length')).toBe(0);
    expect(page.url()).toBe(`${admin}/`);
    expect(requested.every((r) => r.url.startsWith(`${admin}/`))).toBe(true);
    expect(requested.some((r) => r.url.includes(TOKEN))).toBe(false);
    expect(requested.filter((r) => r.url.endsWith('/stats')).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('changes a percent only once the dialog naming the route and the change is confirmed', async () => {
    await row('orders').locator('input[type="number"]').fill('50');
    await row('orders').locator('[data-action="apply"]').click();
    await confirmDialog('orders: 10% → 50%', 'cancel');
    expect((await rolloutOf('orders')).percent).toBe(10);

    await row('orders').locator('input[type="number"]').fill('25');
    await row('orders').locator('[data-action="apply"]').click();
    await confirmDialog('orders: 10% → 25%');
    await expect.poll(() => rolloutOf('orders')).toMatchObject({ percent: 25, source: 'runtime' });
    await expect.poll(() => row('orders').locator('td.rollout').innerText()).toMatch(/25%\s*runtime[\s\S]*file: 10%/);
    expect(await notice().innerText()).toContain('orders: 10% → 25% applied');
  });

  it('shows the audit log, refreshed after each action, with who and what', async () => {
    const first = page.locator('#audit tbody tr').first();
    await expect.poll(() => first.innerText()).toMatch(/admin \(ui-test\)\s+rollout\s+orders\s+percent 10% → 25%/);
  });

  it('shows a refusal in the API\'s words and changes nothing', async () => {
    await row('orders').locator('input[type="number"]').fill('12.345');
    await row('orders').locator('[data-action="apply"]').click();
    await confirmDialog('orders: 25% → 12.345%');
    const refused = await adminCall(admin, TOKEN, 'PUT', '/routes/orders/rollout', { percent: 12.345 });
    const message = refused.json<{ error: { message: string } }>().error.message;
    await expect.poll(() => notice().innerText()).toContain(message);
    expect(await notice().getAttribute('class')).toContain('error');
    expect((await rolloutOf('orders')).percent).toBe(25);
  });

  it('rolls a route back, then clears the runtime change back to the file', async () => {
    await row('orders').locator('[data-action="rollback"]').click();
    await confirmDialog('orders: roll back 25% → 0%', 'confirm', 'INC-7: 5xx on new-service');
    await expect.poll(async () => (await rolloutOf('orders')).percent).toBe(0);
    // Among the newest rows: the engine's own first step of another route may land just after it.
    await expect.poll(async () => (await page.locator('#audit tbody tr').allInnerTexts()).slice(0, 3).some((text) => /rollback\s+orders\s+percent 25% → 0%\s+INC-7: 5xx on new-service/.test(text))).toBe(true);
    const audit = (await adminCall(admin, TOKEN, 'GET', '/audit')).json<{ entries: { action: string; route?: string; reason?: string }[] }>().entries;
    expect(audit.find((e) => e.action === 'rollback' && e.route === 'orders')?.reason).toBe('INC-7: 5xx on new-service');

    await row('orders').locator('[data-action="clear"]').click();
    await confirmDialog('orders: 0% → 10% (the file\'s rollout)');
    await expect.poll(() => rolloutOf('orders')).toMatchObject({ percent: 10, source: 'file' });
    await expect.poll(() => row('orders').locator('[data-action="clear"]').isHidden()).toBe(true);
  });

  it("draws a route's rollout history from the audit log: who, when, from → to and why", async () => {
    const timeline = page.locator('tr[data-extras="orders"] [data-panel="timeline"]');
    await timeline.waitFor({ state: 'visible' });
    // Newest first, in words; each point of the chart says the same in its tooltip.
    const lines = await timeline.locator('ol.changes li').allInnerTexts();
    expect(lines[0]).toMatch(/ admin \(ui-test\) clear-override 0% → 10%$/);
    expect(lines[1]).toMatch(/ admin \(ui-test\) rollback 25% → 0% — INC-7: 5xx on new-service$/);
    expect(lines[2]).toMatch(/ admin \(ui-test\) rollout 10% → 25%$/);
    const points = await timeline.locator('circle').evaluateAll((circles) => circles.map((c) => [c.getAttribute('data-action'), Number(c.getAttribute('cy')), c.textContent]));
    expect(points.map(([action]) => action)).toEqual(['rollout', 'rollback', 'clear-override']);
    // Higher on the chart is more traffic to the service: 25%, then 0% at the bottom, then the file's 10% between.
    const [raised, rolledBack, cleared] = points.map(([, y]) => Number(y));
    expect(rolledBack).toBeGreaterThan(cleared as number);
    expect(cleared).toBeGreaterThan(raised as number);
    expect(points[1]?.[2]).toContain('INC-7: 5xx on new-service');
    // Routes nobody changed have no history to show.
    expect(await page.locator('tr[data-extras="users"]').isHidden()).toBe(true);
  });

  it('turns the kill switch on and off, each after a confirmation', async () => {
    await page.click('#kill-toggle');
    await confirmDialog('Kill switch: turn ON');
    await expect.poll(killSwitchOn).toBe(true);
    await page.locator('#killed-banner').waitFor({ state: 'visible' });
    await expect.poll(() => row('users').locator('td.rollout').innerText()).toContain('killed');
    await page.click('#kill-toggle');
    await confirmDialog('Kill switch: turn OFF');
    await expect.poll(killSwitchOn).toBe(false);
    await page.locator('#killed-banner').waitFor({ state: 'hidden' });
  });

  it("shows figway's own progressive rollout and shadow samples, and pauses the rollout through the API", async () => {
    const extras = page.locator('tr[data-extras="catalog"]');
    await extras.waitFor({ state: 'visible' });
    const text = (await extras.innerText()).replace(/\s+/g, ' ');
    for (const part of ['Progressive rollout running', '5% 25% 100%', 'step 1 of 3', 'Shadow traffic: 100% of requests mirrored', '3 mismatches in 3 compared', 'GET /api/catalog?page=2', '200 → 200', 'body.service: "legacy" → "new-service"']) {
      expect(text).toContain(part);
    }
    // The steps set the percent: no field to set one by hand, a pointer to the steering instead.
    expect(await row('catalog').locator('.percent-editor').isHidden()).toBe(true);
    expect(await row('catalog').locator('.steered').innerText()).toContain('Set by the rollout steps');
    expect(await row('orders').locator('.steered').isHidden()).toBe(true);
    await extras.locator('[data-action="pause"]').click();
    await confirmDialog('catalog: pause the progressive rollout at 5%');
    await expect.poll(async () => (await adminCall(admin, TOKEN, 'GET', '/routes/catalog')).json<{ progressive: { state: string } }>().progressive.state).toBe('paused');
    const audit = (await adminCall(admin, TOKEN, 'GET', '/audit')).json<{ entries: { action: string; route?: string; actor: string; note?: string }[] }>().entries;
    expect(audit.find((e) => e.action === 'progressive-pause')).toMatchObject({ route: 'catalog', actor: 'admin', note: 'ui-test' });
    // Before: running once the engine has stored the schedule (it looks every 5 s), else not started.
    await expect.poll(() => page.locator('#audit tbody tr').first().innerText()).toMatch(/progressive-pause[\s\S]*catalog[\s\S]*(running at 5% \(step 1 of 3\)|not started) → paused at 5% \(step 1 of 3\)/);
  });

  it('shows progressive steps and shadow differences when the API has them, and pauses through it', async () => {
    const paused: string[] = [];
    await page.route(`${admin}/routes`, async (route) => {
      const response = await route.fetch();
      const table = await response.json();
      Object.assign(table.routes[0], {
        progressive: { steps: [1, 10, 25, 50, 100], step: 1, state: 'running', since: new Date().toISOString(), requestsAtStep: 1234, nextAt: new Date(Date.now() + 600_000).toISOString() },
        shadow: { percent: 5 },
      });
      await route.fulfill({ response, json: table });
    });
    await page.route(`${admin}/routes/orders/shadow`, (route) =>
      route.fulfill({
        json: { mismatches: 2, compared: 40, samples: [{ at: new Date().toISOString(), request: { method: 'GET', path: '/api/orders?page=2' }, primary: { status: 200 }, shadow: { status: 500 }, differences: ['status 200 → 500', 'body.total missing'] }] },
      }),
    );
    await page.route(`${admin}/routes/orders/progressive/pause`, (route) => {
      paused.push(`${route.request().method()} ${route.request().headers().authorization}`);
      return route.fulfill({ json: {} });
    });
    await page.reload();
    const extras = page.locator('tr[data-extras="orders"]');
    await extras.waitFor({ state: 'visible' });
    const text = (await extras.innerText()).replace(/\s+/g, ' ');
    for (const part of ['Progressive rollout running', '1% 10% 25% 50% 100%', 'step 2 of 5', '1,234 requests at this step', 'Shadow traffic: 5% of requests mirrored', '2 mismatches in 40 compared', 'GET /api/orders?page=2', '200 → 500', 'body.total missing']) {
      expect(text).toContain(part);
    }
    expect(await extras.locator('li[aria-current="step"]').innerText()).toBe('10%');

    await extras.locator('[data-action="pause"]').click();
    await confirmDialog('orders: pause the progressive rollout at 10%');
    await expect.poll(() => paused).toEqual([`POST Bearer ${TOKEN}`]);

    const direct = await adminCall(admin, TOKEN, 'POST', '/routes/orders/progressive/promote');
    expect(direct.status).toBeGreaterThanOrEqual(400);
    await extras.locator('[data-action="promote"]').click();
    await confirmDialog('orders: promote the progressive rollout from 10% → 25%');
    await expect.poll(() => notice().innerText()).toContain(direct.json<{ error: { message: string } }>().error.message);

    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await row('orders').waitFor();
    // Only the rollout history is left of its extras.
    await expect.poll(() => extras.locator('[data-panel]').evaluateAll((panels) => panels.map((panel) => panel.getAttribute('data-panel')))).toEqual(['timeline']);
  });

  it("shows a route's open breaker and its service's last failure, though legacy served the request", async () => {
    await row('billing').waitFor();
    expect(await row('billing').locator('[data-breaker]').innerText()).toBe('breaker open');
    expect(await row('billing').locator('[data-last-error]').innerText()).toMatch(/^last error FIGWAY_UPSTREAM_UNAVAILABLE, /);
    expect(await row('orders').locator('[data-breaker], [data-last-error]').count()).toBe(0);
  });

  it('shows which services are reached over TLS, and flags one whose certificate is not verified', async () => {
    await row('reports').waitFor();
    expect(await row('reports').locator('[data-tls="unverified"]').innerText()).toBe('TLS not verified');
    expect(await row('orders').locator('[data-tls]').count()).toBe(0);
  });

  it('fits 1440 px, 900 px and a phone without cutting a column off; figures say they are this replica\'s', async () => {
    const cut = () =>
      inPage(`(() => {
        const width = document.documentElement.clientWidth;
        const cells = [...document.querySelectorAll('#routes > tbody > tr > td, #audit td, .summary .card')].filter((el) => el.getClientRects().length > 0);
        const outside = cells.filter((el) => { const r = el.getBoundingClientRect(); return r.right > width + 0.5 || r.left < -0.5; });
        const wrap = document.querySelector('.table-wrap');
        return { page: document.documentElement.scrollWidth - width, table: wrap.scrollWidth - wrap.clientWidth, cells: cells.length, outside: outside.map((el) => el.dataset.label ?? el.className) };
      })()`);
    try {
      for (const [width, height] of [[1440, 900], [900, 900], [390, 844]] as const) {
        await page.setViewportSize({ width, height });
        await expect.poll(cut, { message: `${width} px` }).toMatchObject({ page: 0, table: 0, outside: [] });
        expect(((await cut()) as { cells: number }).cells).toBeGreaterThan(40);
      }
      // As a card, each figure names itself: on a phone there is no column header to do it.
      expect(await inPage(`getComputedStyle(document.querySelector('tr[data-route="users"] td.side.service'), '::before').content`)).toBe('"Service, this replica"');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    expect(await page.locator('#live-title').innerText()).toMatch(/^Live on this replica, last \d+ s$/);
    expect(await page.locator('#window').innerText()).toMatch(/on this replica/);
  });

  it('says who it acts as, and shows a read-only token no change controls', async () => {
    await page.click('#logout');
    await signIn(READ_TOKEN, '');
    await row('orders').waitFor();
    await expect.poll(() => page.locator('#whoami').innerText()).toBe('signed in as dashboard (read only)');
    expect(await inPage(`getComputedStyle(document.querySelector('tr[data-route="orders"] td.controls'), '::before').content`)).toBe('"read only"');
    expect(await row('orders').locator('.percent-editor').isVisible()).toBe(false);
    expect(await row('orders').locator('button[data-action="rollback"]').isVisible()).toBe(false);
    expect(await page.locator('#kill-toggle').isVisible()).toBe(false);
    expect(await page.locator('#audit tbody tr').first().innerText()).toMatch(/admin \(ui-test\)/);
    await page.click('#logout');
    await signIn(TOKEN);
    await expect.poll(() => page.locator('#whoami').innerText()).toBe('signed in as admin (admin), noted as ui-test');
    // The table is drawn again after the header says who signed in: on a busy machine, a moment later.
    await expect.poll(() => row('orders').locator('button[data-action="rollback"]').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#kill-toggle').isVisible()).toBe(true);
  });

  it('goes back to the sign-in form when the token stops working, and on log out', async () => {
    await inPage('sessionStorage.setItem("figway.admin.token", "a-revoked-token")');
    await page.reload();
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#login-error').innerText()).toBe('Signed out: wrong admin token');
    await signIn(TOKEN);
    await row('orders').waitFor();
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await inPage('sessionStorage.length')).toBe(0);
    expect(await page.locator('#routes tbody tr').count()).toBe(0);
  });

  it('ran without a script error or a CSP violation', () => {
    // The refusals the tests provoked (400, 401, 404, 409) are logged by the browser as failed loads; nothing else may be.
    expect(problems.filter((p) => !/status of 40[0149] /.test(p))).toEqual([]);
  });
});
