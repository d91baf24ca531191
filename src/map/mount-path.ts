// The path a router or sub-app layer is mounted at, read back from what the installed Express keeps of it.

/** One mount path: its text with no trailing slash (`''` for the root), and whether it is a RegExp's. */
export interface MountPath {
  readonly text: string;
  readonly regexp: boolean;
}

/** A layer's mount paths (several for an array of paths), or what is known of one that cannot be read. */
export type MountRead = { readonly paths: readonly MountPath[] } | { readonly unread: string; readonly reason: string };

/** What a layer of Express 4 (`regexp`, `keys`) or of router 2.3+ (`rawPath`) may keep of its path. */
export interface MountLayer {
  readonly rawPath?: unknown;
  readonly regexp?: RegExp & { fast_slash?: boolean };
  readonly keys?: readonly { readonly name: string | number }[];
}

/**
 * The mount paths of a `router.use` layer. Router 2.3+ (Express 5) keeps the path as written;
 * Express 4 keeps only what path-to-regexp 0.1 compiled it to, which is read back when every
 * part of it is one that compiler writes, and otherwise left unread rather than guessed.
 *
 * @example
 * ```ts
 * const layer = app._router.stack.at(-1); // Express 4, after app.use('/orgs/:org', router)
 * mountPaths(layer); // { paths: [{ text: '/orgs/:org', regexp: false }] }
 * ```
 */
export function mountPaths(layer: MountLayer): MountRead {
  if ('rawPath' in layer) {
    const raw = [layer.rawPath].flat(Infinity);
    if (raw.every((p) => typeof p === 'string' || p instanceof RegExp)) return { paths: raw.map(written) };
  }
  const { regexp, keys } = layer;
  if (regexp instanceof RegExp && Array.isArray(keys)) {
    if (regexp.fast_slash === true) return { paths: [{ text: '', regexp: false }] };
    const texts = readCompiled(regexp.source, keys);
    if (texts !== undefined) return { paths: texts.map((text) => ({ text: trimSlash(text), regexp: false })) };
    return { unread: String(regexp), reason: 'Express 4 keeps only the RegExp this mount path was compiled to, and it does not read back into a path' };
  }
  return { unread: '', reason: 'the installed Express router does not keep this mount path' };
}

function written(path: string | RegExp): MountPath {
  return path instanceof RegExp ? { text: String(path), regexp: true } : { text: trimSlash(path), regexp: false };
}

// Express matches '/api/' as '/api', and the route path is appended after it.
function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

// The parts path-to-regexp 0.1 writes for a mount path, each tried at the current position.
// A parameter is `(?:` [`\.`] [`/`] capture [star] `)` [`?`]; its name is only in layer.keys.
const SLASH = String.raw`\\?\/`;
const COMPILER_CAPTURE = [
  String.raw`\(\[\^${SLASH}(?:\\\.)?\]\+\?\)`, // the default: ([^/]+?) or, after a dot, ([^/\.]+?)
  String.raw`\(\(\?:\(\?!${SLASH}\|(?:[^()\\]|\\.)*\)\.\)\+\?\)`, // after a literal such as '/user-:id'
].join('|');
const OWN_CAPTURE = new RegExp(`^(?!(?:${COMPILER_CAPTURE})$)`);
// Last, a capture written by hand (':id(\\d+)'); one with groups nested in it is not read back.
const CAPTURE = String.raw`${COMPILER_CAPTURE}|\((?:[^()\\]|\\.)+\)`;
const STAR = String.raw`\(\(\?:\[${SLASH}(?:\\\.)?\]\.\+\?\)\?\)`;
const PART = {
  end: new RegExp(String.raw`${SLASH}\?\(\?=${SLASH}\|\$\)(?:\|\^|$)`, 'y'),
  param: new RegExp(String.raw`\(\?:(\\\.)?(${SLASH})?(${CAPTURE})(${STAR})?\)(\?)?`, 'y'),
  wild: /\(\.\*\)/y,
  escaped: /\\(.)/y,
  slash: /\//y,
  literal: /[^\\/()|[\]^$*.{}]+/y,
};

/** The paths a non-ending path-to-regexp 0.1 `source` was compiled from, or undefined if any part is not one it writes. */
function readCompiled(source: string, keys: readonly { readonly name: string | number }[]): string[] | undefined {
  const paths: string[] = [];
  let key = 0;
  let path = '';
  let at = 1;
  if (!source.startsWith('^')) return undefined;
  const take = (part: RegExp): RegExpExecArray | null => {
    part.lastIndex = at;
    const found = part.exec(source);
    if (found !== null) at = part.lastIndex;
    return found;
  };
  while (at < source.length) {
    let found: RegExpExecArray | null;
    if (take(PART.end) !== null) {
      paths.push(path);
      path = '';
    } else if ((found = take(PART.param)) !== null) {
      const [, dot, slash, capture, star, optional] = found;
      const name = keys[key++]?.name;
      if (typeof name !== 'string') return undefined;
      const own = OWN_CAPTURE.test(capture!) ? capture : '';
      if (star !== undefined && typeof keys[key++]?.name !== 'number') return undefined;
      path += `${slash === undefined ? '' : '/'}${dot === undefined ? '' : '.'}:${name}${own}${star === undefined ? '' : '*'}${optional ?? ''}`;
    } else if (take(PART.wild) !== null) {
      if (typeof keys[key++]?.name !== 'number') return undefined;
      path += '*';
    } else if ((found = take(PART.escaped)) !== null) {
      // The compiler escapes '/' and '.'; any other escape was in the path as written.
      path += found[1] === '/' || found[1] === '.' ? found[1] : found[0];
    } else if (take(PART.slash) !== null) {
      path += '/';
    } else if ((found = take(PART.literal)) !== null) {
      path += found[0];
    } else {
      return undefined;
    }
  }
  return paths.length > 0 && path === '' && key === keys.length ? paths : undefined;
}
