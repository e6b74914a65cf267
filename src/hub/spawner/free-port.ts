import { createServer } from 'node:net';

// Ports handed out recently by this process: the OS may offer the same free port to two
// simultaneous starts before either server has bound it.
const recentlyGiven = new Map<number, number>();
const HOLD_MS = 60_000;

async function askTheKernel(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A loopback TCP port that is free now and not given to another start in the last minute. */
export async function freeLoopbackPort(): Promise<number> {
  const now = Date.now();
  for (const [port, at] of recentlyGiven) if (now - at > HOLD_MS) recentlyGiven.delete(port);
  for (;;) {
    const port = await askTheKernel();
    if (!recentlyGiven.has(port)) {
      recentlyGiven.set(port, now);
      return port;
    }
  }
}
