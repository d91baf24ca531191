// Writes schema/figway.schema.json from the compiled schema, so editors can autocomplete figway.yaml.
import { writeFileSync } from 'node:fs';
import { toJsonSchema } from '../dist/config/schema.js';

const target = new URL('../schema/figway.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(toJsonSchema(), null, 2)}\n`);
