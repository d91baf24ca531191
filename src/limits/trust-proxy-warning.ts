// Says once per app that `trust proxy: true` lets any client choose its address-keyed budget.
import type { Diagnostics } from '../diagnostics.js';
import type { FigwayContext } from '../types.js';

/**
 * express-rate-limit warns about a permissive `trust proxy` (ERR_ERL_PERMISSIVE_TRUST_PROXY) from
 * its default key generator only; figway makes its own keys, so it says it itself. With `true`,
 * Express takes the leftmost X-Forwarded-For as the client, which the client writes, so every
 * limit keyed by `ip` can be reset at will. Returns a check to call with requests counted by
 * address; each app is looked at once.
 */
export function createTrustProxyWarning(diagnostics: Diagnostics): (ctx: FigwayContext) => void {
  const seen = new WeakSet<object>();
  return (ctx) => {
    const app = ctx.app;
    if (app?.get === undefined || seen.has(app)) return;
    seen.add(app);
    if (app.get('trust proxy') !== true) return;
    diagnostics.warnOnce(
      'FIGWAY_LIMITS_TRUST_PROXY',
      "figway: Express 'trust proxy' is true, so a client picks its own address (the leftmost X-Forwarded-For) and can escape rate limits keyed by ip; set it to the number of proxies in front of the app or their addresses",
      { expressRateLimit: 'ERR_ERL_PERMISSIVE_TRUST_PROXY' },
    );
  };
}
