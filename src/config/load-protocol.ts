// What the main thread and the config loader thread say to each other (src/config/load-worker.ts).
import type { FigwayConfigError } from '../errors.js';
import type { ConfigPath } from '../config-kit/config-source.js';

/**
 * Routes travel a slice per message, in both directions: one message of a large table, or many sent
 * at once (a port delivers all it holds in one go), would take the main thread tens of milliseconds
 * to send or receive.
 */
export const ROUTES_PER_MESSAGE = 250;

/**
 * What the main thread asks: load a file; validate a config given as an object (its routes sent
 * first, a slice per `routes` message); the next slice of a loaded config's routes; or place
 * problems found later (compiling) in the file last loaded.
 */
export type LoadRequest =
  | { readonly id: number; readonly kind: 'load'; readonly file: string; readonly env: NodeJS.ProcessEnv; readonly maxFileBytes: number }
  | { readonly id: number; readonly kind: 'routes'; readonly routes: readonly unknown[] }
  | { readonly id: number; readonly kind: 'validate'; readonly config: object }
  | { readonly id: number; readonly kind: 'more' }
  | { readonly id: number; readonly kind: 'locate'; readonly problems: readonly { path: ConfigPath; message: string; atKey?: boolean }[] };

/**
 * The answer: the validated config (a plain object), the problems, or why the file could not be
 * loaded. A config's routes come first, a slice per message (`routes`), each once the main thread
 * asks for more, and then the rest of it (`config`, its `routes` empty).
 */
export type LoadAnswer =
  | { readonly id: number; readonly routes: readonly unknown[] }
  | { readonly id: number; readonly config: unknown }
  | { readonly id: number; readonly problems: FigwayConfigError['problems'] }
  | { readonly id: number; readonly error: { readonly code: string; readonly message: string } };
