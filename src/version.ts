// figway's own version and homepage, from package.json (shown by the admin API and the CLI; docs links).
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { version: string; homepage?: string };

export const version: string = manifest.version;

/** Where the project's README is shown, once package.json names it. */
export const homepage: string | undefined = manifest.homepage;
