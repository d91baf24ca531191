// A plugin hook that threw while figway talked to a service: the error the client gets.
import { FigwayError } from '../errors.js';

/** `err` as a FigwayError: itself when it is one, else FIGWAY_PLUGIN_FAILED with it as the cause. */
export function asPluginError(err: unknown): FigwayError {
  return err instanceof FigwayError ? err : new FigwayError('FIGWAY_PLUGIN_FAILED', `a plugin hook failed: ${String(err)}`, { cause: err });
}
