// Copies the admin page's static files (src/admin/ui) next to the compiled admin listener, which serves them from there.
import { cpSync, rmSync } from 'node:fs';

const source = new URL('../src/admin/ui/', import.meta.url);
const target = new URL('../dist/admin/ui/', import.meta.url);
// Start clean, so a file removed from the page is not served from an old build.
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
