// Every metric figway exports, each declared by the capability that keeps it: the dashboard and alert rules may only use these.
import { AUTH_FAILURES } from './auth/auth-metrics.js';
import { MIGRATION_ENDPOINTS } from './map/map-metrics.js';
import { MONOLITH_REQUESTS } from './map/migration-map.js';
import { FEATURE_METRIC_NAMES } from './feature-runtimes.js';
import { REQUEST_METRIC_NAMES } from './observe/metrics.js';
import { PROGRESSIVE_EVENTS } from './progressive/progressive-metrics.js';
import { BREAKER_STATE } from './proxy/breaker-metrics.js';
import { CERTIFICATE_EXPIRY } from './proxy/certificate-metrics.js';
import { ROLLOUT_PERCENT } from './rollout/rollout-metrics.js';

/** Every metric figway exports. */
export const METRIC_NAMES = [...REQUEST_METRIC_NAMES, ROLLOUT_PERCENT, PROGRESSIVE_EVENTS, ...FEATURE_METRIC_NAMES, AUTH_FAILURES, CERTIFICATE_EXPIRY, BREAKER_STATE, MIGRATION_ENDPOINTS, MONOLITH_REQUESTS];
