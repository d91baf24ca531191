// Empties dist/ before a build: a module deleted from src/ must not live on in dist/, nor in a package published from it.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
