/**
 * Run by forward-http-support.ts for the forward-http-*.test.ts files: the real proxy
 * (startProxyProcess) in a process of its own, so that its memory can be measured apart from the
 * test's clients and target. Sends its URLs over IPC, answers 'memory' with process.memoryUsage()
 * after a full GC (run it with --expose-gc), and closes when the parent disconnects.
 *
 *   node --expose-gc --import tsx forward-http-proxy.ts DEFAULT_TARGET API_SECRET
 *
 * Its oracle lets the token `let-me-in` into any user's server and nobody else.
 */
import { startProxyProcess } from '../../../src/hub/proxy/proxy-process.js';

const LET_ME_IN = 'let-me-in';

const [defaultTarget, apiSecret] = process.argv.slice(2);
const proxy = await startProxyProcess({
  ip: '127.0.0.1',
  port: 0,
  apiIp: '127.0.0.1',
  apiPort: 0,
  defaultTarget: defaultTarget!,
  apiSecret: apiSecret!,
  oracle: async (credential, owner) => ({
    allowed: credential.kind === 'token' && credential.token === LET_ME_IN,
    user: credential.kind === 'token' && credential.token === LET_ME_IN ? owner : null,
  }),
  verifySessionCookie: () => null,
});

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message) => {
  if (message !== 'memory') return;
  gc?.();
  gc?.();
  process.send?.({ memory: process.memoryUsage() });
});
process.once('disconnect', () => {
  void proxy.close().finally(() => process.exit(0));
});
process.send?.({ publicUrl: proxy.publicUrl, apiUrl: proxy.apiUrl });
