// Serves a prom-client registry in the Prometheus text format, for the app or the admin listener.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** A request handler answering with the registry's metrics. */
export function createMetricsHandler(registry: Registry): (req: IncomingMessage, res: ServerResponse) => void {
  return function metricsHandler(_req, res) {
    registry.metrics().then(
      (text) => {
        res.setHeader('content-type', registry.contentType);
        res.end(text);
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        res.end(`# metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  };
}
