// A service on a raw TCP socket, for answers Node's HTTP server would never give (garbage, resets, exact bytes).
import net from 'node:net';

export interface RawService {
  readonly url: string;
  readonly port: number;
  /** Destroys every connection and stops listening. */
  close(): void;
}

/** Listens on 127.0.0.1:0 and hands each connection (and its index, from 0) to `onConnection`. */
export async function rawService(onConnection: (socket: net.Socket, index: number) => void): Promise<RawService> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket, count++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
