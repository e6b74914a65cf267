// Run by unprivileged.test.ts as an unprivileged user (not a test file itself): a hub that is not
// root grades with bwrap in a user namespace and rlimits, without the grader account or cgroups.
// Prints one JSON line with what it saw.
import { createKernelLauncher } from '../../src/kernel/index.js';

const [workingDirectory, marker, port] = process.argv.slice(2) as [string, string, string];
const launcher = createKernelLauncher({
  sandbox: 'bwrap',
  log: { warn: () => undefined },
  limits: { memoryBytes: 512 * 1024 ** 2, maxProcesses: 64 },
});
const session = await launcher.start({
  kernelName: 'python3',
  workingDirectory,
  env: { COURSEHUB_TEST_MARKER: marker },
  startupTimeoutMs: 90_000,
});
const run = (code: string, timeoutMs = 20_000) => session.execute(code, { timeoutMs });
const report = {
  isolation: session.isolation,
  sum: await run('1+1'),
  timeout: await run('import time\nwhile True:\n    time.sleep(1)', 2000),
  afterTimeout: await run('2+2'),
  network: await run(`import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=3)`),
  shadow: await run('open("/etc/shadow").read()'),
  memory: await run('x = b"x" * (10 * 1024**3)'),
  background: await run("import subprocess\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)"),
  // Last: without a cgroup its processes hold the user's process limit until shutdown.
  forkBomb: await run('import os\nwhile True:\n    os.fork()', 10_000),
};
await session.shutdown();
process.stdout.write(JSON.stringify(report) + '\n');
