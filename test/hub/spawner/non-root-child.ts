/**
 * Run by non-root.test.ts as an unprivileged account: starts alice's server with the local
 * spawner as a hub that is not root would, waits until it answers, prints one JSON line (what the
 * spawner logged, the server's pid, URL and token), keeps it running until stdin closes, then
 * stops it and prints a last line.
 *
 *   node --import tsx non-root-child.ts ROOT
 */
import { join } from 'node:path';
import pino from 'pino';
import { spawnerSection } from '../../../src/config/schema.js';
import { LocalProcessSpawner } from '../../../src/hub/spawner/local-process-spawner.js';

const root = process.argv[2]!;
const logs: Record<string, unknown>[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });

const spawner = new LocalProcessSpawner('alice', '', {
  command: ['/usr/bin/jupyter-notebook'],
  // The hub's default server arguments, as a real deployment has them.
  args: spawnerSection.parse({}).local.args,
  homeRoot: join(root, 'homes'),
  sandbox: 'auto',
  environment: {},
  memoryLimitMb: 1024,
  cpuLimit: 1,
  processLimit: 256,
  logDir: join(root, 'logs'),
  log,
});

const server = await spawner.start({
  userName: 'alice',
  serverName: '',
  baseUrl: '/user/alice/',
  hubEnv: { JUPYTERHUB_USER: 'alice', JUPYTERHUB_SERVICE_PREFIX: '/user/alice/' },
});
const deadline = Date.now() + 60_000;
let answered = false;
while (!answered && Date.now() < deadline) {
  answered = await fetch(new URL('api/status', server.url), {
    headers: { authorization: `token ${server.token}` },
  })
    .then((response) => response.ok)
    .catch(() => false);
  if (!answered) await new Promise((resolve) => setTimeout(resolve, 200));
}
process.stdout.write(
  JSON.stringify({
    uid: process.getuid?.(),
    logs,
    pid: spawner.pid(),
    answered,
    // Without root, the listening socket is still found among the server's own processes.
    ownsAddress: answered && (await spawner.ownsAddress()),
    ...server,
  }) + '\n',
);
process.stdin.resume();
process.stdin.on('end', () => {
  void spawner.stop().then(() => {
    process.stdout.write(JSON.stringify({ stopped: true }) + '\n');
    process.exit(0);
  });
});
