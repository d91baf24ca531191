// figway_upstream_certificate_expiry_seconds: when each https service's certificate expires.
import { Gauge, type Registry } from 'prom-client';
import { metricOn } from '../prometheus-metric.js';

export const CERTIFICATE_EXPIRY = 'figway_upstream_certificate_expiry_seconds';

/** The gauge of services' certificate expiry times, on the app's registry. */
export function certificateExpiry(registry: Registry): Gauge<'upstream'> {
  return metricOn(registry, CERTIFICATE_EXPIRY, (registers) => new Gauge({
    name: CERTIFICATE_EXPIRY,
    help: 'When the certificate each https service last presented expires, as a Unix time in seconds (from every new connection, and from the look figway takes when a handshake fails).',
    labelNames: ['upstream'],
    registers,
  }));
}
