// Sticky keys: which property of a request keeps its caller on one side.
import type { RequestView } from './request-view.js';

/** One entry of `rollout.sticky`, compiled. `label` is how it appears in decisions and logs. */
export type StickySource =
  | { readonly kind: 'user'; readonly label: string }
  | { readonly kind: 'ip'; readonly label: string }
  | { readonly kind: 'header' | 'cookie'; readonly name: string; readonly label: string };

/** Compiles `user`, `ip`, `header:<name>`, `cookie:<name>` (already checked by the schema). */
export function compileSticky(entries: readonly string[]): StickySource[] {
  return entries.map((entry) => {
    if (entry === 'user' || entry === 'ip') return { kind: entry, label: entry };
    const colon = entry.indexOf(':');
    const kind = entry.slice(0, colon) as 'header' | 'cookie';
    // Header names are case-insensitive (Node lower-cases them); cookie names are not.
    const name = kind === 'header' ? entry.slice(colon + 1).toLowerCase() : entry.slice(colon + 1);
    return { kind, name, label: `${kind}:${name}` };
  });
}

/** The first sticky key the request has, with the source it came from; undefined when it has none. */
export function findStickyKey(sources: readonly StickySource[], view: RequestView): { key: string; source: StickySource } | undefined {
  for (const source of sources) {
    const key = keyOf(source, view);
    if (key !== undefined && key !== '') return { key, source };
  }
  return undefined;
}

function keyOf(source: StickySource, view: RequestView): string | undefined {
  switch (source.kind) {
    case 'user':
      return view.userId;
    case 'ip':
      return view.ip;
    case 'header':
      return view.header(source.name);
    case 'cookie':
      return view.cookie(source.name);
  }
}
