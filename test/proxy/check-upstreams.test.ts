import { describe, expect, it } from 'vitest';
import { inlineSource } from '../../src/config-kit/config-source.js';
import { UPSTREAM_CHECKS } from '../../src/proxy/check-upstreams.js';
import { problemLines } from '../helpers/problems.js';

const source = inlineSource();

describe('upstream checks', () => {
  it('refuses timeouts Node cannot keep, and a zero connect or response timeout', () => {
    const config = { defaults: { timeouts: { connect: '600h' } }, upstreams: { orders: { url: 'http://127.0.0.1:1', timeouts: { response: 0 } } }, routes: [{ timeouts: { idle: 0 } }] };
    expect(problemLines(UPSTREAM_CHECKS.timeoutsInRange(config, source))).toEqual([
      'defaults.timeouts.connect must be at most 24 days',
      'upstreams.orders.timeouts.response must be more than 0 (only idle may be 0, meaning off)',
    ]);
  });

  it('refuses TLS on an http:// upstream, and a certificate without its key', () => {
    const config = { upstreams: { a: { url: 'http://a.internal', tls: { insecure: true } }, b: { url: 'https://b.internal', tls: { certFile: 'b.pem' } } }, routes: [] };
    expect(problemLines(UPSTREAM_CHECKS.upstreamTlsFitsItsUpstream(config, source))).toEqual([
      'upstreams.a.tls applies to https:// upstreams only, and this url is http://',
      'upstreams.b.tls.certFile needs its key (key or keyFile)',
    ]);
  });
});
