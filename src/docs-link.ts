// Where a code is documented: its row in the README.
import { homepage } from './version.js';

// The package's homepage once it has one (where its README is shown); until then the README shipped in the package.
const base = homepage === undefined ? 'README.md' : (homepage.split('#', 1)[0] as string);

/**
 * The link to the README row that documents `code`, an error or warning code (each row carries an
 * anchor named after the code).
 *
 * @example
 * ```ts
 * docsLink('FIGWAY_UPSTREAM_TIMEOUT'); // 'README.md#figway_upstream_timeout'
 * ```
 */
export function docsLink(code: string): string {
  return `${base}#${code.toLowerCase()}`;
}
