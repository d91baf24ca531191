// The one responder for errors figway answers itself, in a shape that can match the monolith's.
import type { ServerResponse } from 'node:http';
import { fillErrors, type FigwayConfig } from './config/schema.js';
import type { FigwayError } from './errors.js';

/** How figway writes its own errors. */
export interface ErrorFormat {
  readonly contentType: string;
  render(error: FigwayError): string;
}

/** Compiles `errors` from the config: a JSON template whose "{code}", "{message}", "{status}" are filled in. */
export function compileErrorFormat(config: FigwayConfig['errors']): ErrorFormat {
  const { body: template, contentType } = fillErrors(config);
  return {
    contentType,
    render: (error) => JSON.stringify(fill(template, error)),
  };
}

function fill(value: unknown, error: FigwayError): unknown {
  if (typeof value === 'string') {
    if (value === '{status}') return error.status;
    return value.replace(/\{(code|message|status)\}/g, (_, key: 'code' | 'message' | 'status') => String(error[key]));
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, error));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, error)]));
  }
  return value;
}

/**
 * Answers the request with `error`. When the response has already started, the only honest thing
 * left is to cut the connection, so the client never takes a partial body for a complete one.
 */
export function sendError(res: ServerResponse, error: FigwayError, format: ErrorFormat): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = format.render(error);
  res.statusCode = error.status;
  res.setHeader('content-type', format.contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-figway-error', error.code);
  res.end(body);
}
