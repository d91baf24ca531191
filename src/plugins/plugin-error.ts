// A plugin hook that threw: the error the client gets (and the warning), naming the plugin.
import { FigwayError } from '../errors.js';

/** `err` from plugin `plugin`'s hook, as a FigwayError: itself when it is one, else FIGWAY_PLUGIN_FAILED naming the plugin. */
export function pluginError(plugin: string, err: unknown): FigwayError {
  if (err instanceof FigwayError) return err;
  return new FigwayError('FIGWAY_PLUGIN_FAILED', `plugin "${plugin}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** `err` as a FigwayError: itself when it is one (a hook's, named by pluginError), else FIGWAY_PLUGIN_FAILED with it as the cause. */
export function asPluginError(err: unknown): FigwayError {
  return err instanceof FigwayError ? err : new FigwayError('FIGWAY_PLUGIN_FAILED', `a plugin hook failed: ${String(err)}`, { cause: err });
}
