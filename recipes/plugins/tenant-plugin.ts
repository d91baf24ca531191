// An example plugin, written as an app would: tenants, configured in figway.yaml like a built-in (see write-a-plugin.md).
import { Type } from '@sinclair/typebox';
import { Counter, type Registry } from 'prom-client';
import { definePlugin, FigwayError } from 'figway';

/** The top-level `tenants` section. */
const Tenants = Type.Object(
  {
    claim: Type.String({ minLength: 1, description: "The identity claim (token claim or req.user field) naming the caller's tenant, e.g. tenant." }),
    header: Type.String({ pattern: '^[A-Za-z0-9-]+$', description: "The request header that carries the tenant to services; a client's own is removed." }),
    known: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Every tenant: routes may only name these, and metrics count the others as "other".' }),
  },
  { additionalProperties: false, description: 'Which tenant a caller belongs to, and how services learn it.' },
);

/** A route's `tenant` key. */
const RouteTenant = Type.Object(
  {
    required: Type.Optional(Type.Boolean({ description: 'Refuse callers without a tenant (403 FIGWAY_AUTH_FORBIDDEN). Default false.' })),
    only: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Only these tenants may call the route (403 FIGWAY_AUTH_FORBIDDEN).' })),
  },
  { additionalProperties: false, description: 'Who may call this route, by tenant.' },
);

/** Where a request's tenant waits between the identify stage and the proxy and observe hooks. */
const TENANT = Symbol('tenant');

/**
 * The `tenants` plugin: reads the caller's tenant from its identity (after the built-in `auth`
 * plugin established it), refuses callers a route does not admit, tells services the tenant in a
 * header, and counts requests per route and tenant in the app's registry.
 *
 * @example
 * ```ts
 * app.use(figway({ config: 'figway.yaml', plugins: [tenantPlugin(registry)] }));
 * ```
 */
export function tenantPlugin(registry: Registry) {
  const requests = new Counter({
    name: 'tenant_requests_total',
    help: 'Requests on routes the tenants plugin runs on, by route, tenant (a known one, none or other) and who served.',
    labelNames: ['route', 'tenant', 'target'],
    registers: [registry],
  });
  return definePlugin({
    name: 'tenants',
    // After auth (order -150) in each stage: the identity is known when onIdentify runs.
    order: 10,
    configKeys: { tenants: Tenants },
    routeKeys: { tenant: RouteTenant },
    setup({ sections, routes, problem }) {
      const settings = sections.tenants;
      const rules = new Map<string, { required: boolean; only: readonly string[] | undefined }>();
      for (const { route, index, sections: own } of routes) {
        if (own.tenant === undefined) continue;
        // A rule a schema cannot say: it spans two sections.
        if (settings === undefined) problem(['routes', index, 'tenant'], 'needs the top-level tenants section');
        own.tenant.only?.forEach((name, at) => {
          if (settings && !settings.known.includes(name)) problem(['routes', index, 'tenant', 'only', at], `"${name}" is not one of tenants.known (${settings.known.join(', ')})`);
        });
        rules.set(route.id, { required: own.tenant.required ?? false, only: own.tenant.only });
      }
      if (settings === undefined) return {};
      const header = settings.header.toLowerCase();
      return {
        onRequest(ctx) {
          // Only figway says which tenant a caller is: a client's own header goes, for the monolith's handlers too.
          delete ctx.req.headers[header];
        },
        onIdentify(ctx) {
          const claim = ctx.identity?.claims[settings.claim];
          const tenant = typeof claim === 'string' && claim !== '' ? claim : undefined;
          if (tenant !== undefined) ctx.locals.set(TENANT, tenant);
          const rule = rules.get(ctx.route.id);
          if (rule === undefined) return;
          if (rule.required && tenant === undefined) throw new FigwayError('FIGWAY_AUTH_FORBIDDEN', `route ${ctx.route.id} is for callers with a tenant`);
          if (rule.only && (tenant === undefined || !rule.only.includes(tenant))) throw new FigwayError('FIGWAY_AUTH_FORBIDDEN', `route ${ctx.route.id} is not open to this tenant`);
        },
        onProxyRequest(proxyReq, ctx) {
          const tenant = ctx.locals.get(TENANT);
          if (typeof tenant === 'string') proxyReq.setHeader(header, tenant);
          else proxyReq.removeHeader(header);
        },
        onResponse(ctx) {
          const tenant = ctx.locals.get(TENANT);
          // Bounded series: a tenant nobody listed is "other", never its own label value.
          const label = typeof tenant !== 'string' ? 'none' : settings.known.includes(tenant) ? tenant : 'other';
          requests.inc({ route: ctx.route.id, tenant: label, target: ctx.target });
        },
      };
    },
    close() {
      registry.removeSingleMetric('tenant_requests_total');
    },
  });
}
