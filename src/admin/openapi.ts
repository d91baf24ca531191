// The OpenAPI document of the admin API, built from the endpoint table it describes.
import type { TSchema } from '@sinclair/typebox';
import { ERROR_CODES, FigwayError } from '../errors.js';
import type { AdminEndpoint, MediaType } from './admin-endpoints.js';

/** OpenAPI 3.1 for `endpoints`, served at GET /openapi.json. */
export function openApiDocument(endpoints: readonly AdminEndpoint[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const named: Record<string, unknown> = {};
  for (const endpoint of endpoints) {
    const path = endpoint.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...[...endpoint.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description: 'Route id' })),
      ...(endpoint.query ?? []).map((q) => ({
        name: q.name,
        in: 'query',
        required: q.required ?? false,
        description: q.description,
        schema: q.repeated ? { type: 'array', items: { type: 'string' } } : { type: 'string' },
        ...(q.repeated ? { style: 'form', explode: true } : {}),
      })),
    ];
    (paths[path] ??= {})[endpoint.method.toLowerCase()] = {
      summary: endpoint.summary,
      ...(endpoint.access === 'open' ? { security: [] } : { description: `Needs a token whose role is ${endpoint.access} or above (read < operate < admin).`, 'x-figway-role': endpoint.access }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(endpoint.body ? { requestBody: { required: endpoint.method === 'PUT', content: { 'application/json': { schema: endpoint.body } } } } : {}),
      responses: {
        '200': okResponse(endpoint.response, named),
        default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  paths['/openapi.json'] = { get: { summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'figway admin API',
      version,
      description: 'Runtime control of a figway gateway: the routing table, rollout changes, the kill switch, reload, explain, audit, metrics.',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An admin token: admin.token, or one of admin.tokens with its role (FIGWAY_ADMIN_TOKEN for the CLI). Never in the URL.' } },
      schemas: {
        ...named,
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string', enum: Object.keys(ERROR_CODES) },
                message: { type: 'string' },
                status: { type: 'integer' },
                details: { description: 'e.g. the problems of a refused change' },
              },
              required: ['code', 'message', 'status'],
            },
          },
        },
      },
    },
    paths,
  };
}

/** A JSON answer with its schema, or an answer of another media type (text/html, text/plain; version=0.0.4). */
function okResponse(response: TSchema | MediaType, named: Record<string, unknown>): Record<string, unknown> {
  if (typeof response === 'string') return { description: response, content: { [response.split(';', 1)[0] as string]: {} } };
  return { description: response.description ?? 'A JSON answer.', content: { 'application/json': { schema: withRefs(response, named) } } };
}

/**
 * `schema` as plain JSON, each titled part (Route, AuditEntry) written once into `named` and
 * referred to by $ref: GET /routes and every route change share one Route.
 */
function withRefs(schema: unknown, named: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withRefs(item, named));
  if (schema === null || typeof schema !== 'object') return schema;
  // Object.entries leaves out TypeBox's symbol keys, which are not JSON Schema.
  const plain = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withRefs(value, named)]));
  const { title } = plain;
  if (typeof title !== 'string') return plain;
  if (title in named && JSON.stringify(named[title]) !== JSON.stringify(plain)) throw new FigwayError('FIGWAY_INTERNAL', `two admin API schemas are titled ${title}`);
  named[title] = plain;
  return { $ref: `#/components/schemas/${title}` };
}
