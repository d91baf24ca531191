// One upgrade dispatcher per server: figway sees each upgrade first, before any 'upgrade' listener.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { responseOnSocket } from './socket-response.js';

/** Handles one upgrade request; calls `otherwise` to leave it to the app's own handlers. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, otherwise: () => void) => void;

/** Node routes an upgrade to 'upgrade' listeners only when there is one; this one does nothing itself. */
function figwayUpgrades(): void {}

/**
 * Puts `handle` in front of the server's 'upgrade' event. Node calls every 'upgrade' listener with
 * the same socket, so two handlers of one upgrade corrupt it; figway therefore takes each upgrade
 * before the listeners do, through the server's emit, and the app's listeners (a `ws` server, a
 * socket.io instance, added before or after this call) receive exactly the upgrades figway leaves
 * to them. With no listener of the app's own, such an upgrade is served as the plain HTTP request
 * Node would have made of it, on a connection that then closes.
 */
export function dispatchUpgrades(server: Server, handle: UpgradeHandler): void {
  const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  const leave = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (server.listeners('upgrade').some((listener) => listener !== figwayUpgrades)) emit.call(server, 'upgrade', req, socket, head);
    else emit.call(server, 'request', req, responseOnSocket(req, socket));
  };
  server.emit = function emitUpgradesThroughFigway(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'upgrade') return emit.call(this, event, ...args);
    const [req, socket, head] = args as [IncomingMessage, Duplex, Buffer];
    handle(req, socket, head, () => leave(req, socket, head));
    return true;
  } as Server['emit'];
  server.on('upgrade', figwayUpgrades);
}
