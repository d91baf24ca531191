// Watches the config file and calls back when its content changes.
import { createHash } from 'node:crypto';
import { readFileSync, watch } from 'node:fs';
import path from 'node:path';

/**
 * Calls `onChange` once the file's content has changed and settled for `debounceMs`. The directory
 * is watched, not the file: editors save by renaming over it and Kubernetes swaps a `..data`
 * symlink, both of which a watch on the file itself would miss. Returns a function that stops it.
 */
export function watchConfigFile(file: string, onChange: () => void, debounceMs = 200): () => void {
  let lastDigest = digest(file);
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const current = digest(file);
    if (current === undefined || current === lastDigest) return;
    lastDigest = current;
    onChange();
  };
  const watcher = watch(path.dirname(file), () => {
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
    timer.unref();
  });
  watcher.on('error', () => watcher.close());
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

function digest(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    // Mid-rename the file may be missing for a moment; the next event reads it again.
    return undefined;
  }
}
