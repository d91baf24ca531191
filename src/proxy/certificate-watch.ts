// What figway sees of services' certificates: when each expires (a gauge), and why a handshake
// failed, told once a minute per service with the certificate's subject and expiry.
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Gauge } from 'prom-client';
import type { FigwayError } from '../errors.js';
import type { LookOptions } from './upstream-tls.js';
import type { Diagnostics } from '../diagnostics.js';

const REPORT_EVERY_MS = 60_000;
// A look at a failing service's certificate gives up after this: the log line goes out without it.
const LOOK_TIMEOUT_MS = 5000;

/** The service a certificate belongs to, as the watch needs it. */
export interface CertifiedService {
  readonly name: string;
  readonly url: URL;
  readonly tls: { readonly lookOptions: LookOptions } | undefined;
}

/**
 * Keeps `figway_upstream_certificate_expiry_seconds` from every handshake, and logs handshake
 * failures at error level at most once a minute per service.
 *
 * @example
 * ```ts
 * const watch = new CertificateWatch(gauge, diagnostics, Date.now);
 * socket.once('secureConnect', () => watch.connected('orders', socket));
 * ```
 */
export class CertificateWatch {
  private readonly reportedAt = new Map<string, number>();
  /** Services with an expiry series. */
  private readonly seen = new Set<string>();
  /** The services the serving config uses, once known. */
  private inUse: ReadonlySet<string> | undefined;

  constructor(
    private readonly expiry: Gauge<'upstream'>,
    private readonly diagnostics: Diagnostics,
    private readonly now: () => number,
  ) {}

  /** A handshake with `upstream` succeeded: its certificate's expiry, as a Unix time in seconds. */
  connected(upstream: string, socket: TLSSocket): void {
    this.record(upstream, expiryOf(socket.getPeerCertificate()));
  }

  /** A handshake with `service` failed: logged with the certificate it presented, unless this service was reported within the minute. */
  failed(service: CertifiedService, error: FigwayError): void {
    const now = this.now();
    if (now - (this.reportedAt.get(service.name) ?? Number.NEGATIVE_INFINITY) < REPORT_EVERY_MS) return;
    this.reportedAt.set(service.name, now);
    void lookAtCertificate(service).then((certificate) => {
      const expires = expiryOf(certificate);
      // A look that ends after a reload removed the service must not bring its series back.
      if (this.inUse === undefined || this.inUse.has(service.name)) this.record(service.name, expires);
      this.diagnostics.reportError(error, `figway: TLS handshake with ${service.name} failed (reported once a minute per service)`, {
        upstream: service.name,
        reason: error.message,
        certificate: certificate && {
          subject: formatName(certificate.subject),
          issuer: formatName(certificate.issuer),
          subjectAltName: certificate.subjectaltname,
          validTo: expires === undefined ? undefined : new Date(expires * 1000).toISOString(),
        },
      });
    });
  }

  /** Services no longer in the config lose their expiry series. */
  retain(upstreams: ReadonlySet<string>): void {
    this.inUse = upstreams;
    for (const upstream of this.seen) {
      if (upstreams.has(upstream)) continue;
      this.expiry.remove({ upstream });
      this.seen.delete(upstream);
      this.reportedAt.delete(upstream);
    }
  }

  private record(upstream: string, expires: number | undefined): void {
    if (expires === undefined) return;
    this.expiry.set({ upstream }, expires);
    this.seen.add(upstream);
  }
}

/**
 * Opens one connection that accepts any certificate, only to read the one the service presents
 * (Node does not keep it when verification fails), then closes it. Never used to send anything.
 */
function lookAtCertificate(service: CertifiedService): Promise<PeerCertificate | undefined> {
  return new Promise((resolve) => {
    const { url } = service;
    // The service's trust and name only: figway's client certificate is not shown to a peer that failed verification.
    const socket = connect({
      ...service.tls?.lookOptions,
      servername: service.tls?.lookOptions.servername || undefined,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      rejectUnauthorized: false,
    });
    const done = (certificate: PeerCertificate | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(certificate);
    };
    const timer = setTimeout(() => done(undefined), LOOK_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      done(certificate && Object.keys(certificate).length > 0 ? certificate : undefined);
    });
    socket.once('error', () => done(undefined));
  });
}

function expiryOf(certificate: PeerCertificate | undefined): number | undefined {
  const at = certificate?.valid_to ? Date.parse(certificate.valid_to) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.round(at / 1000);
}

function formatName(name: PeerCertificate['subject'] | undefined): string | undefined {
  if (!name) return undefined;
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}
