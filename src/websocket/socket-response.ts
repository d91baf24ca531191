// An HTTP response written straight onto an upgrade request's socket, which no ServerResponse owns.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * A ServerResponse on the socket of an upgrade request, so figway's stages answer a refused
 * upgrade (401, 429, 502...) exactly as they answer HTTP. Any answer but a 101 ends the connection;
 * a 101 leaves the socket to the WebSocket that follows.
 */
export function responseOnSocket(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => {
    if (res.statusCode !== 101) (socket as Socket).destroySoon();
  });
  return res;
}
