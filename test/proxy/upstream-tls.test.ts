// TLS to services, in every mode and engine, with certificates openssl makes for the run: a private
// CA trusted per upstream, mutual TLS, every kind of bad certificate told apart (and never hidden
// behind fallback), certificate expiry in the metrics, WebSockets and shadow copies over TLS.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { figway, FigwayConfigError } from '../../src/index.js';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { makeCertificates, type Certificates, type KeyPair } from '../helpers/certificates.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';

interface SecureService {
  readonly server: https.Server;
  readonly url: string;
  /** Requests that reached the service's handler. */
  readonly received: string[];
  close(): Promise<void>;
}

/** An https service answering `{ secure: true, url, client }` (`client`: the CN of the certificate figway presented, if asked for one). */
async function secureService(pair: KeyPair, extra: https.ServerOptions = {}): Promise<SecureService> {
  const received: string[] = [];
  const server = https.createServer({ ...pair, ...extra }, (req, res) => {
    received.push(req.url ?? '');
    const peer = (req.socket as TLSSocket).getPeerCertificate?.();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ secure: true, url: req.url, client: peer && 'subject' in peer ? peer.subject?.CN : undefined }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(GATEWAY_SETUPS)('TLS to services ($label)', ({ mode, engine }) => {
  let certificates: Certificates;
  const services = {} as Record<'private' | 'expired' | 'wrongHost' | 'wrongPurpose' | 'selfSigned' | 'unknownCa' | 'mutual', SecureService>;
  let monolith: Monolith;
  let logs: CapturedLogs;
  const registry = new Registry();

  beforeAll(async () => {
    certificates = makeCertificates();
    writeFileSync(path.join(certificates.dir, 'client.pem'), certificates.client.cert);
    writeFileSync(path.join(certificates.dir, 'client.key'), certificates.client.key);
    services.private = await secureService(certificates.trusted);
    services.expired = await secureService(certificates.expired);
    services.wrongHost = await secureService(certificates.wrongHost);
    services.wrongPurpose = await secureService(certificates.wrongPurpose);
    services.selfSigned = await secureService(certificates.untrusted);
    services.unknownCa = await secureService(certificates.signedByNext);
    services.mutual = await secureService(certificates.trusted, { requestCert: true, rejectUnauthorized: true, ca: certificates.clientCa });
    new WebSocketServer({ server: services.private.server }).on('connection', (socket, req) => socket.send(`hello over TLS ${req.url}`));
    const caFile = certificates.caFile;
    logs = captureLogs();
    monolith = await startMonolith(
      express,
      {
        logger: logs.logger,
        registry,
        config: {
          admin: { port: 0 },
          upstreams: {
            private: { url: services.private.url, tls: { caFile } },
            expired: { url: services.expired.url, tls: { ca: certificates.ca } },
            'wrong-host': { url: services.wrongHost.url, tls: { caFile } },
            'wrong-purpose': { url: services.wrongPurpose.url, tls: { caFile } },
            'self-signed': { url: services.selfSigned.url, tls: { caFile } },
            'unknown-ca': { url: services.unknownCa.url, tls: { caFile } },
            mutual: { url: services.mutual.url, tls: { caFile, certFile: path.join(certificates.dir, 'client.pem'), keyFile: path.join(certificates.dir, 'client.key') } },
            'mutual-without-cert': { url: services.mutual.url, tls: { caFile } },
            insecure: { url: services.selfSigned.url, tls: { insecure: true } },
            named: { url: services.wrongHost.url, tls: { caFile, servername: 'other.example' } },
            preserved: { url: services.private.url, preserveHost: true, tls: { caFile } },
          },
          routes: [
            { id: 'private', match: { path: '/private' }, upstream: 'private' },
            { id: 'expired', match: { path: '/expired' }, upstream: 'expired' },
            { id: 'wrong-host', match: { path: '/wrong-host' }, upstream: 'wrong-host' },
            { id: 'wrong-purpose', match: { path: '/wrong-purpose' }, upstream: 'wrong-purpose' },
            { id: 'self-signed', match: { path: '/self-signed' }, upstream: 'self-signed' },
            { id: 'unknown-ca', match: { path: '/unknown-ca' }, upstream: 'unknown-ca' },
            { id: 'mutual', match: { path: '/mutual' }, upstream: 'mutual' },
            { id: 'mutual-without-cert', match: { path: '/no-client-cert' }, upstream: 'mutual-without-cert' },
            { id: 'insecure', match: { path: '/insecure' }, upstream: 'insecure' },
            { id: 'named', match: { path: '/named' }, upstream: 'named' },
            { id: 'preserved', match: { path: '/preserved' }, upstream: 'preserved' },
            { id: 'masked', match: { path: '/masked' }, upstream: 'self-signed', fallback: { on: ['refused', 'timeout'] } },
            { id: 'tls-fallback', match: { path: '/tls-fallback' }, upstream: 'expired', fallback: { on: ['tls'] } },
            { id: 'shadowed', match: { path: '/shadowed' }, upstream: 'private', rollout: { percent: 0 }, shadow: { percent: 100 } },
          ],
        },
      },
      { mode, engine },
    );
    monolith.gateway.upgrade(monolith.server);
  });
  afterAll(async () => {
    await monolith.close();
    await Promise.all(Object.values(services).map((service) => service.close()));
  });

  it('trusts the CA given per upstream (caFile) and nothing else for it', async () => {
    const reply = await request(monolith.url, '/private/7?x=1');
    expect({ status: reply.status, body: reply.json() }).toEqual({ status: 200, body: { secure: true, url: '/private/7?x=1' } });
  });

  it.each([
    ['expired', /certificate has expired \(CERT_HAS_EXPIRED\)/],
    ['wrong-host', /certificate is for another host \(ERR_TLS_CERT_ALTNAME_INVALID\)/],
    ['wrong-purpose', /certificate did not pass verification \(INVALID_PURPOSE\)/],
    ['self-signed', /certificate is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
    ['unknown-ca', /issued by an unknown CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/],
  ])('answers 502 FIGWAY_UPSTREAM_TLS for a certificate that is %s, saying so, and the service gets nothing', async (route, reason) => {
    const reply = await request(monolith.url, `/${route}`);
    expect(reply.status).toBe(502);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_UPSTREAM_TLS', message: expect.stringMatching(reason) } });
    const service = { expired: services.expired, 'wrong-host': services.wrongHost, 'wrong-purpose': services.wrongPurpose, 'self-signed': services.selfSigned, 'unknown-ca': services.unknownCa }[route] as SecureService;
    expect(service.received).toEqual([]);
  });

  it('checks the certificate against tls.servername, or the URL host, never the Host header a client sent', async () => {
    expect((await request(monolith.url, '/named')).json()).toMatchObject({ secure: true, url: '/named' });
    for (const host of ['evil.example', 'shop.example']) {
      const reply = await request(monolith.url, '/preserved', { headers: { host } });
      expect({ status: reply.status, body: reply.json() }, host).toMatchObject({ status: 200, body: { secure: true } });
    }
  });

  it('presents its client certificate to a service that requires one (mutual TLS), and is refused without', async () => {
    const reply = await request(monolith.url, '/mutual');
    expect(reply.json()).toEqual({ secure: true, url: '/mutual', client: 'figway' });
    const refused = await request(monolith.url, '/no-client-cert');
    expect(refused.status).toBe(502);
    expect(refused.json()).toMatchObject({ error: { code: 'FIGWAY_UPSTREAM_TLS', message: expect.stringContaining('refused the client certificate') } });
    expect(services.mutual.received).toEqual(['/mutual']);
  });

  it('never hides a certificate failure behind a fallback on refused; fallback.on: [tls] serves legacy', async () => {
    const masked = await request(monolith.url, '/masked');
    expect(masked.status).toBe(502);
    expect(masked.json()).toMatchObject({ error: { code: 'FIGWAY_UPSTREAM_TLS' } });
    const fellBack = await request(monolith.url, '/tls-fallback');
    expect(fellBack.json()).toMatchObject({ service: 'legacy' });
  });

  it('accepts any certificate only with insecure: true, warns about it, and says so in the route table', async () => {
    expect((await request(monolith.url, '/insecure')).json()).toMatchObject({ secure: true });
    expect(logs.lines.filter((line) => String(line.msg).startsWith('figway: TLS to insecure is not verified'))).toEqual([expect.objectContaining({ level: 40 })]);
    await monolith.gateway.ready;
    const tlsOf = async (id: string) => (await request(monolith.gateway.adminUrl as string, `/routes/${id}`)).json<{ upstream: { tls: unknown } }>().upstream.tls;
    expect(await tlsOf('insecure')).toEqual({ verify: false, ca: 'public', clientCertificate: false });
    expect(await tlsOf('mutual')).toEqual({ verify: true, ca: 'private', clientCertificate: true });
    expect(await tlsOf('expired')).toEqual({ verify: true, ca: 'private', clientCertificate: false });
  });

  it('counts TLS failures by code, keeps each certificate expiry, and logs a failing service once a minute with its certificate', async () => {
    await request(monolith.url, '/expired');
    await request(monolith.url, '/expired');
    const text = await registry.metrics();
    expect(text).toMatch(/figway_upstream_errors_total\{route="expired",upstream="expired",code="FIGWAY_UPSTREAM_TLS"\} [3-9]/);
    const expiry = (upstream: string) => Number(new RegExp(`figway_upstream_certificate_expiry_seconds\\{upstream="${upstream}"\\} (\\d+)`).exec(text)?.[1]);
    const now = Date.now() / 1000;
    expect(expiry('private')).toBeGreaterThan(now + 86_400);
    expect(expiry('private')).toBeLessThan(now + 3 * 86_400);
    await expect.poll(async () => (await registry.metrics()).match(/figway_upstream_certificate_expiry_seconds\{upstream="expired"\} (\d+)/)?.[1]).toBeDefined();
    const expired = Number((await registry.metrics()).match(/figway_upstream_certificate_expiry_seconds\{upstream="expired"\} (\d+)/)?.[1]);
    expect(expired).toBeLessThan(now);
    const reports = logs.lines.filter((line) => line.upstream === 'expired' && String(line.msg).startsWith('figway: TLS handshake with expired failed'));
    expect(reports).toEqual([
      expect.objectContaining({ level: 50, code: 'FIGWAY_UPSTREAM_TLS', certificate: expect.objectContaining({ subject: 'CN=127.0.0.1', issuer: 'CN=figway test CA', validTo: expect.any(String) }) }),
    ]);
  });

  it('opens WebSockets to the service over TLS with the same trust', async () => {
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = new WebSocket(`${monolith.url.replace('http', 'ws')}/private/live`);
      socket.once('message', (data) => {
        resolve(String(data));
        socket.close();
      });
      socket.once('error', reject);
    });
    expect(greeting).toBe('hello over TLS /private/live');
  });

  it('sends shadow copies over TLS with the same trust', async () => {
    const before = services.private.received.length;
    expect((await request(monolith.url, '/shadowed/1')).json()).toMatchObject({ service: 'legacy' });
    await expect.poll(() => services.private.received.slice(before)).toEqual(['/shadowed/1']);
  });
});

describe.each(GATEWAY_SETUPS)('a CA file rotated under load ($label)', ({ mode, engine }) => {
  it('moves new connections to the new CA without a failed request or a restart', async () => {
    const certificates = makeCertificates();
    const caFile = path.join(certificates.dir, 'bundle.pem');
    // Replaced as a mounted Secret is: a new file renamed over the old one.
    const rotate = (pem: string) => {
      writeFileSync(`${caFile}.next`, pem);
      renameSync(`${caFile}.next`, caFile);
    };
    rotate(certificates.ca);
    const service = await secureService(certificates.trusted);
    const logs = captureLogs();
    const monolith = await startMonolith(
      express,
      { logger: logs.logger, registry: new Registry(), config: { upstreams: { rotating: { url: service.url, tls: { caFile } } }, routes: [{ id: 'rotating', match: { path: '/api' }, upstream: 'rotating' }] } },
      { mode, engine },
    );
    const rotations = () => logs.lines.filter((line) => String(line.msg).startsWith('figway: the TLS files of rotating changed: new connections use them')).length;
    const failures: string[] = [];
    let served = 0;
    let loading = true;
    const worker = async () => {
      while (loading) {
        const reply = await request(monolith.url, `/api/${served}`).catch((err: Error) => ({ status: 0, body: err.message }));
        if (reply.status === 200) served += 1;
        else failures.push(`${reply.status} ${reply.body}`);
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    try {
      // 1. Trust the old and the next CA; 2. the service moves to a certificate the next CA signed; 3. trust only the next CA.
      rotate(certificates.ca + certificates.nextCa);
      await expect.poll(rotations, { timeout: 5000 }).toBe(1);
      service.server.setSecureContext(certificates.signedByNext);
      const before = served;
      await expect.poll(() => served - before, { timeout: 5000 }).toBeGreaterThan(50);
      rotate(certificates.nextCa);
      // New connections from here on: only a certificate the next CA signed passes, and the service now presents one.
      await expect.poll(rotations, { timeout: 5000 }).toBe(2);
      const after = served;
      await expect.poll(() => served - after, { timeout: 5000 }).toBeGreaterThan(50);
    } finally {
      loading = false;
      await load;
      await monolith.close();
      await service.close();
    }
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(100);
  });
});

describe('TLS settings that cannot be used', () => {
  it('are refused at start-up with every problem, file:line and config path', () => {
    const certificates = makeCertificates();
    const file = path.join(certificates.dir, 'figway.yaml');
    writeFileSync(path.join(certificates.dir, 'client.pem'), certificates.client.cert);
    writeFileSync(path.join(certificates.dir, 'other.key'), certificates.trusted.key);
    writeFileSync(
      file,
      `upstreams:
  missing: { url: "https://127.0.0.1:1", tls: { caFile: no-such-ca.pem } }
  mismatched: { url: "https://127.0.0.1:2", tls: { certFile: client.pem, keyFile: other.key } }
  plain: { url: "http://127.0.0.1:3", tls: { caFile: ca.pem } }
  half: { url: "https://127.0.0.1:4", tls: { certFile: client.pem, ca: x, caFile: ca.pem } }
routes:
  - { id: a, match: { path: /a }, upstream: missing }
  - { id: b, match: { path: /b }, upstream: mismatched }
`,
    );
    const problems = (config: string) => {
      try {
        figway({ config, logger: captureLogs().logger, registry: new Registry() });
      } catch (err) {
        if (!(err instanceof FigwayConfigError)) throw err;
        return err.problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`);
      }
      throw new Error('expected the config to be refused');
    };
    expect(problems(file)).toEqual([
      '4:44 upstreams.plain.tls applies to https:// upstreams only, and this url is http://',
      '5:56 upstreams.half.tls.certFile needs its key (key or keyFile)',
      '5:83 upstreams.half.tls.caFile cannot go with ca: the PEM inline or a file, not both',
    ]);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n {2}(plain|half):.*/g, ''));
    expect(problems(file)).toEqual([
      '2:57 upstreams.missing.tls.caFile cannot be read (ENOENT)',
      expect.stringMatching(/^3:\d+ upstreams\.mismatched\.tls\.keyFile cannot be used: .*key values mismatch/),
    ]);
  });
});
