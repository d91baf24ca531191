// Upgrade requests through the same stages as HTTP: match, identify, limit, decide, then a WebSocket to the service or the app's handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pipeline } from '../pipeline.js';
import type { Duplex } from 'node:stream';
import { peekRecord, recordOf, type ExpressApp } from '../request-record.js';
import { arrivedFor } from '../server/express-request.js';
import { responseOnSocket } from './socket-response.js';
import type { UpgradeHandler } from './upgrade-dispatcher.js';

/** The bytes the client sent after its upgrade request (the start of the WebSocket), kept for the forwarder. */
export function headOf(req: IncomingMessage): Buffer | undefined {
  return peekRecord(req)?.head;
}

/**
 * Creates the upgrade handler of a gateway. `pipeline` is built with the upgrade forwarder as its
 * service side; figway's own answers (401, 403, 429, 502...) are written on the socket as HTTP.
 * Upgrades no route takes, and those decided for legacy, are left to the app untouched except
 * that, like HTTP requests, they carry figway's decision and the normalised path.
 */
export function createUpgradeHandler(pipeline: Pipeline, appOf: () => ExpressApp | undefined, gateway: object): UpgradeHandler {
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, otherwise: () => void) {
    arrivedFor(req, { gateway, app: appOf() });
    recordOf(req).head = head;
    // Until the socket is handed on, a reset must not become an unhandled 'error'.
    const ignoreReset = () => socket.destroy();
    socket.on('error', ignoreReset);
    const res = responseOnSocket(req, socket);
    pipeline(req, res, () => {
      socket.removeListener('error', ignoreReset);
      res.detachSocket(socket as Parameters<ServerResponse['detachSocket']>[0]);
      otherwise();
    });
  };
}
