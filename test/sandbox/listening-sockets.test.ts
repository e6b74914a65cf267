// Which process holds a loopback port, from /proc: the readiness check's ground truth (issue 11
// item 9 a). Sockets of this test process against a child's pid and against nothing listening.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loopbackListeners, loopbackPortHeldBy } from '../../src/sandbox/listening-sockets.js';

const servers: Server[] = [];
afterAll(() => servers.forEach((server) => server.close()));

async function listen(host: string, port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return (server.address() as { port: number }).port;
}

describe('loopbackPortHeldBy', () => {
  it('knows the holder of a port on 127.0.0.1, 0.0.0.0 and :: (dual stack)', async () => {
    const other = spawn('sleep', ['30']);
    try {
      for (const host of ['127.0.0.1', '0.0.0.0', '::']) {
        const port = await listen(host);
        expect(loopbackListeners(port)).toHaveLength(1);
        expect(loopbackPortHeldBy(port, [process.pid])).toBe(true);
        expect(loopbackPortHeldBy(port, [other.pid!])).toBe(false);
      }
    } finally {
      other.kill();
    }
  });

  it('says no when nothing listens, and ignores addresses a loopback connection cannot reach', async () => {
    const port = await listen('127.0.0.1');
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    expect(loopbackPortHeldBy(port, [process.pid])).toBe(false);
    const elsewhere = await listen('127.0.0.2');
    expect(loopbackListeners(elsewhere)).toEqual([]);
  });
});
