// Watches the config file and calls back when it changes.
import { statSync, watch } from 'node:fs';
import path from 'node:path';

/**
 * Calls `onChange` once the file has changed (another file, size or modification time: it is not
 * read here, so a reload reads it once, within its size limit) and settled for `debounceMs`. The
 * directory is watched, not the file: editors save by renaming over it and Kubernetes swaps a
 * `..data` symlink, both of which a watch on the file itself would miss. Returns a function that stops it.
 */
export function watchConfigFile(file: string, onChange: () => void, debounceMs = 200): () => void {
  let last = signature(file);
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const current = signature(file);
    if (current === undefined || current === last) return;
    last = current;
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

function signature(file: string): string | undefined {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch {
    // Mid-rename the file may be missing for a moment; the next event reads it again.
    return undefined;
  }
}
