// Public exports only.
export { figway } from './gateway.js';
export { getContext } from './context.js';
export { ERROR_CODES, FigwayConfigError, FigwayError, formatProblem } from './errors.js';
export type { ConfigProblem, FigwayErrorCode } from './errors.js';
export { WARNING_CODES } from './warnings.js';
export type { FigwayWarningCode } from './warnings.js';
export { loadConfig } from './config/load-config.js';
export { ConfigSchema } from './config/schema.js';
export { bucketOf } from './rollout/bucket.js';
export { definePlugin } from './plugins/define-plugin.js';
export { runMiddleware } from './plugins/run-middleware.js';
export type * from './types.js';
