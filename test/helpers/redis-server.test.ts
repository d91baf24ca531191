// The test helper itself: a port taken between finding it free and redis-server binding it.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './listen.js';
import { REDIS_MISSING, spawnOnFreePort } from './redis-server.js';

describe.skipIf(REDIS_MISSING !== undefined)(REDIS_MISSING ?? 'spawnOnFreePort', () => {
  it('tries another port when the one it found is taken before redis-server binds it', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as AddressInfo).port;
    const picked: number[] = [];
    const ports = [Promise.resolve(taken)];
    const pick = () => {
      const next = ports.shift() ?? freePort();
      void next.then((port) => picked.push(port));
      return next;
    };
    try {
      const { port, child } = await spawnOnFreePort({}, pick);
      expect(picked[0]).toBe(taken);
      expect(port).not.toBe(taken);
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
        socket.once('data', (data) => {
          resolve(data.toString());
          socket.destroy();
        });
        socket.once('error', reject);
      });
      expect(reply).toBe('+PONG\r\n');
      child.kill('SIGKILL');
    } finally {
      squatter.close();
    }
  });
});
