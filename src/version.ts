// figway's own version, from package.json (shown by the admin API and the CLI).
import { createRequire } from 'node:module';

export const version: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
