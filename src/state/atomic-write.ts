// Writing a file so that a crash leaves the old content or the new, never half of it.
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';

let writes = 0;

/** Writes `text` to a temporary file beside `file`, flushes it to disk, then renames it over `file`. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${(writes += 1)}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
