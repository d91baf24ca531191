// A plugin hook that threw: the error the client gets (and the warning), naming the plugin.
import { FigwayError } from '../errors.js';

/** `err` from plugin `plugin`'s hook, as a FigwayError: itself when it is one, else FIGWAY_PLUGIN_FAILED naming the plugin. */
export function pluginError(plugin: string, err: unknown): FigwayError {
  if (err instanceof FigwayError) return err;
  return new FigwayError('FIGWAY_PLUGIN_FAILED', `plugin "${plugin}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * An error while a request to a service was prepared or its answer presented, as a FigwayError: a
 * hook's is one already (pluginError names its plugin), anything else is figway's own.
 */
export function asPreparingError(err: unknown): FigwayError {
  return err instanceof FigwayError ? err : new FigwayError('FIGWAY_INTERNAL', 'internal figway error', { cause: err });
}
