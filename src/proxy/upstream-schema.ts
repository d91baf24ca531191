// A service's config (`upstreams.<name>`), its TLS and the timeouts towards it: the schema the config composes in, and the types the proxy reads.
import { Type, type Static } from '@sinclair/typebox';
import { defaulted } from '../config-kit/schema-defaults.js';
import { Duration } from '../config-kit/schema-parts.js';

const connect = Duration('Time allowed to open a connection to the service before answering 504 FIGWAY_UPSTREAM_CONNECT_TIMEOUT.');
const response = Duration('Time allowed, once the request is sent, for the service to send its response headers before answering 504 FIGWAY_UPSTREAM_TIMEOUT.');
const idle = Duration(
  'Time the service may go silent while sending its response body; after it the response is cut, so a stalled service never holds a client forever. 0 turns it off (for long-lived streams).',
);

/** The keep-alive connection pool to a service (`upstreams.<name>.pool`). */
export const UpstreamPoolSettings = Type.Object(
  {
    maxSockets: Type.Optional(defaulted(Type.Integer({ minimum: 1, description: 'Most connections open to this service at once.' }), 256)),
    maxFreeSockets: Type.Optional(
      defaulted(Type.Integer({ minimum: 0, description: 'Most idle keep-alive connections kept (http-proxy-middleware engine; undici keeps each until idleTimeout).' }), 64),
    ),
    idleTimeout: Type.Optional(defaulted(Duration('Idle keep-alive connections are closed after this long; keep it below the service\'s own keep-alive timeout.'), '4s')),
  },
  { additionalProperties: false, description: 'The keep-alive connection pool to this service.' },
);

/** A route's or an upstream's timeouts. */
export const Timeouts = Type.Object(
  { connect: Type.Optional(connect), response: Type.Optional(response), idle: Type.Optional(idle) },
  { additionalProperties: false, description: 'Timeouts towards the service. The most specific setting wins: the route\'s, then the upstream\'s, then defaults.timeouts.' },
);

/** `defaults.timeouts`: the same fields, with the built-in values as their defaults. */
export const DefaultTimeouts = Type.Object(
  { connect: Type.Optional(defaulted(connect, '2s')), response: Type.Optional(defaulted(response, '30s')), idle: Type.Optional(defaulted(idle, '60s')) },
  { additionalProperties: false, description: 'Timeouts towards every service, unless its route or upstream sets its own.' },
);

/** The forwarding engine setting, of every service (`proxy.engine`) or one (`upstreams.<name>.engine`). */
export const Engine = (description: string) =>
  Type.Union([Type.Literal('http-proxy-middleware'), Type.Literal('undici')], {
    description: `${description} http-proxy-middleware (Node's http client) or undici (faster: a connection pool per service writing straight to the response). Default: http-proxy-middleware in middleware mode, undici in server mode.`,
  });

const Pem = (what: string) => Type.String({ minLength: 1, description: `${what} in PEM, inline (e.g. \${ORDERS_CA}).` });
const PemFile = (what: string) =>
  Type.String({ minLength: 1, description: `A file holding ${what} in PEM, relative to the config file; read again when it changes, so it rotates without a restart.` });

const UpstreamTls = Type.Object(
  {
    ca: Type.Optional(Pem('The CA certificates trusted for this service, instead of the public ones')),
    caFile: Type.Optional(PemFile('the CA certificates trusted for this service (several may follow each other, e.g. the old and the new CA while one replaces the other)')),
    cert: Type.Optional(Pem('The client certificate figway presents (mutual TLS)')),
    certFile: Type.Optional(PemFile('the client certificate figway presents (mutual TLS)')),
    key: Type.Optional(Pem("The client certificate's private key")),
    keyFile: Type.Optional(PemFile("the client certificate's private key")),
    passphrase: Type.Optional(Type.String({ description: 'Passphrase of an encrypted private key, e.g. ${ORDERS_KEY_PASSPHRASE}.' })),
    servername: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Name sent as SNI and checked against the service's certificate. Default: the host of the upstream URL (with preserveHost too; none for an IP address, whose certificate must then list it).",
      }),
    ),
    minVersion: Type.Optional(Type.Union([Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')], { description: 'Oldest TLS version accepted. Default TLSv1.2.' })),
    ciphers: Type.Optional(Type.String({ minLength: 1, description: "OpenSSL cipher list for TLSv1.2 (TLSv1.3's suites are fixed). Default: Node's." })),
    insecure: Type.Optional(
      Type.Boolean({
        description:
          "true: accept any certificate, unverified (a warning is logged at start-up and on every reload, and GET /routes and the admin page show it). For a test set-up only: anyone on the path can impersonate the service. Default false.",
      }),
    ),
  },
  { additionalProperties: false, description: 'TLS towards an https:// service: which CA to trust, the client certificate for mutual TLS, SNI, versions. Applies to every connection figway opens to it (both engines, WebSockets, shadow copies).' },
);

export const Upstream = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
      description: 'Base URL of the service, e.g. http://127.0.0.1:4001 or https://orders.internal/base. A path here is prepended to every request path.',
      errorMessage: 'must be an http:// or https:// URL without query or fragment',
    }),
    timeouts: Type.Optional(Timeouts),
    preserveHost: Type.Optional(
      Type.Boolean({ description: "Send the client's Host header to the service instead of the service's own host. Default false." }),
    ),
    pool: Type.Optional(UpstreamPoolSettings),
    rewriteLocation: Type.Optional(
      Type.Boolean({ description: 'Rewrite Location headers that point at this service so redirects point at the public host and path. Default true.' }),
    ),
    rewriteCookies: Type.Optional(
      Type.Boolean({ description: 'Rewrite Set-Cookie Domain/Path attributes that name this service so cookies belong to the public host. Default true.' }),
    ),
    engine: Type.Optional(Engine('The forwarding engine for this service, over proxy.engine (e.g. to try undici on one service first).')),
    tls: Type.Optional(UpstreamTls),
  },
  { additionalProperties: false, description: 'A new service figway can send traffic to.' },
);

/** An entry of `upstreams`, as the file has it. */
export type UpstreamConfig = Static<typeof Upstream>;
/** Timeouts towards a service (route, upstream or `defaults`), as the file has them. */
export type TimeoutsConfig = Static<typeof Timeouts>;
