// Says once that a body parser in front of figway turns uploads to services into store-and-forward.
import type { RequestContext } from '../context.js';
import type { Diagnostics } from '../diagnostics.js';

/**
 * figway forwards a body a parser already read by replaying the bytes it kept: correct, but the
 * upload is received whole and parsed in the app's process before the first byte leaves (a 256 KB
 * JSON body costs the event loop milliseconds, for a parse nobody uses). Nothing is wrong with a
 * single request, so this is a warning, said once per gateway with the route it was first seen on.
 */
export function createReplayWarning(diagnostics: Diagnostics): (ctx: RequestContext) => void {
  return (ctx) =>
    diagnostics.warnOnce(
      'FIGWAY_PROXY_BODY_REPLAYED',
      'figway: a body parser mounted before figway read the body of a request figway forwards; figway replays the bytes it kept, but such uploads are received whole and parsed in this process before they leave, instead of streaming to the service. Mount figway before the body parsers to stream them (the legacy handlers still get parsed bodies)',
      { route: ctx.compiled.id },
    );
}
