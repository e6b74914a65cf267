// Run by grader-killed.test.ts (not a test file itself): a grader that starts a kernel, leaves a
// background process in it, says "ready" and waits to be killed.
import { createKernelLauncher } from '../../src/kernel/index.js';

const [sandbox, workingDirectory, marker] = process.argv.slice(2) as ['bwrap' | 'none', string, string];
const session = await createKernelLauncher({ sandbox, log: { warn: () => undefined } }).start({
  kernelName: 'python3',
  workingDirectory,
  env: { COURSEHUB_TEST_MARKER: marker },
  startupTimeoutMs: 90_000,
});
const result = await session.execute("import subprocess\nsubprocess.Popen(['sleep', '1000'])", {
  timeoutMs: 30_000,
});
process.stdout.write(`ready ${result.status} ${session.kernelPid}\n`);
setInterval(() => undefined, 1000);
