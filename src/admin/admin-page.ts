// The admin page for ops: static files from ./ui/ beside this module (the build copies them into dist), served by figway itself.
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FigwayError } from '../errors.js';

const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

/** Every file the page loads: the endpoint table serves exactly these, so nothing else in the folder can be fetched. */
export const ADMIN_PAGE_ASSETS = [
  'app.css',
  'icon.svg',
  'app.js',
  'api.js',
  'dom.js',
  'format.js',
  'confirm.js',
  'actions.js',
  'summary.js',
  'routes-table.js',
  'route-row.js',
  'route-extras.js',
  'timeline.js',
  'audit.js',
  'map-section.js',
  'map-tiles.js',
  'map-endpoint.js',
] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// No inline script or style anywhere, so the policy can stay this strict: an injected tag runs nothing.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Answers GET / with the page. It holds no data, so it needs no token; its data calls do. */
export function serveAdminPage(res: ServerResponse): Promise<undefined> {
  // no-store: a page left open after an upgrade must not mix an old page with new scripts.
  return sendFile(res, 'index.html', 'no-store');
}

/** Answers GET /ui/<name> with one of {@link ADMIN_PAGE_ASSETS}. */
export function serveAdminAsset(res: ServerResponse, name: (typeof ADMIN_PAGE_ASSETS)[number]): Promise<undefined> {
  return sendFile(res, name, 'no-cache');
}

async function sendFile(res: ServerResponse, name: string, cacheControl: string): Promise<undefined> {
  let body: Buffer;
  try {
    body = await readFile(path.join(UI_DIR, name));
  } catch (err) {
    throw new FigwayError('FIGWAY_ADMIN_NOT_FOUND', `the admin page file ${name} is missing from ${UI_DIR} (npm run build copies it there)`, { cause: err });
  }
  res.statusCode = 200;
  res.setHeader('content-type', CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream');
  res.setHeader('content-length', body.length);
  res.setHeader('cache-control', cacheControl);
  for (const [header, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(header, value);
  res.end(body);
  return undefined;
}
