// A small legacy monolith with figway mounted, the way users add it: one app.use line.
import http from 'node:http';
import type { Express, RequestHandler } from 'express';
import { pino } from 'pino';
import { figway } from '../../src/index.js';
import type { EngineName, FigwayMiddleware, FigwayOptions } from '../../src/types.js';
import type { ExpressFactory } from './express-versions.js';
import { listen, type Listening } from './listen.js';

/** Tests that do not look at logs keep them off the console. */
export const quietLogger = pino({ level: 'silent' });

export interface Monolith extends Listening {
  readonly app: Express;
  readonly gateway: FigwayMiddleware;
}

export interface MonolithOptions {
  /** Middleware mounted before figway (body parsers, session, a fake login). */
  before?: RequestHandler[];
  /** Express settings, e.g. { 'trust proxy': 'loopback' }. */
  settings?: Record<string, unknown>;
  /** Mount path for figway. */
  mountPath?: string;
  /** Called after figway is mounted and before the monolith's catch-all handler (to add routes such as /metrics). */
  after?: (app: Express, gateway: FigwayMiddleware) => void;
  /** `middleware` (default): `app.use(gateway)`; `server`: `http.createServer(gateway.wrap(app))`, no app.use line. */
  mode?: GatewayMode;
  /** The forwarding engine (`proxy.engine`, set over an object config); default: the mode's own. */
  engine?: EngineName;
}

/** The two ways to put figway in front of an app. */
export type GatewayMode = 'middleware' | 'server';

/** Modes for describe.each: the same suite proves both. */
export const GATEWAY_MODES: GatewayMode[] = ['middleware', 'server'];

/** A mode and a forwarding engine, with a label for describe.each. */
export interface GatewaySetup {
  readonly label: string;
  readonly mode: GatewayMode;
  readonly engine: EngineName;
}

/** The proxy conformance matrix: every mode with every engine, so each proxy behaviour is proven four times. */
export const GATEWAY_SETUPS: GatewaySetup[] = GATEWAY_MODES.flatMap((mode) =>
  (['http-proxy-middleware', 'undici'] as const).map((engine) => ({ label: `${mode} mode, ${engine}`, mode, engine })),
);

/**
 * Starts a monolith whose own handler answers `{ service: 'legacy', method, url, routedUrl, body }`
 * for every request figway leaves to it (`routedUrl` is the req.url Express routed on).
 */
export async function startMonolith(express: ExpressFactory, options: FigwayOptions, extra: MonolithOptions = {}): Promise<Monolith> {
  const app = express();
  for (const [key, value] of Object.entries(extra.settings ?? {})) app.set(key, value);
  for (const middleware of extra.before ?? []) app.use(middleware);
  const config = extra.engine && typeof options.config === 'object' ? { ...options.config, proxy: { ...options.config.proxy, engine: extra.engine } } : options.config;
  const gateway = figway({ logger: quietLogger, ...options, config });
  const server = extra.mode === 'server';
  if (server) {
    if (extra.mountPath) throw new Error('server mode has no mount path');
  } else if (extra.mountPath) app.use(extra.mountPath, gateway);
  else app.use(gateway);
  extra.after?.(app, gateway);
  app.use((req, res) => {
    res.json({ service: 'legacy', method: req.method, url: req.originalUrl, routedUrl: req.url, body: (req as { body?: unknown }).body ?? null });
  });
  const listening = await listen(server ? http.createServer(gateway.wrap(app)) : app);
  return {
    ...listening,
    app,
    gateway,
    close: async () => {
      await listening.close();
      await gateway.close();
    },
  };
}
