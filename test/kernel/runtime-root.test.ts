// The kernels' runtime folder lives in a shared /tmp and holds every kernel's connection key and
// sockets: a folder someone else made first, one others may write, or a symbolic link in its
// place is refused before any kernel starts (src/sandbox/private-folder.ts); a missing one is
// made, 0711 and the launcher's own.
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { ensureRuntimeRoot } from '../../src/kernel/runtime-files.js';
import { SandboxSetupError } from '../../src/sandbox/errors.js';
import { isRoot, scratchDir } from '../support/kernel.js';

const NOBODY = 65534;
const scratch = scratchDir('coursehub-runtime-root-');
const work = scratchDir();
afterAll(() => {
  scratch.remove();
  work.remove();
});

function startIn(runtimeRoot: string) {
  const launcher = createKernelLauncher({
    sandbox: 'bwrap',
    zygote: false,
    runtimeRoot,
    log: { warn: () => undefined },
  });
  return launcher.start({
    kernelName: 'python3',
    workingDirectory: work.path,
    env: {},
    startupTimeoutMs: 60_000,
  });
}

describe('the kernel runtime folder', () => {
  it('is made when missing: a folder of the launcher’s own, mode 0711', async () => {
    const path = join(scratch.path, 'fresh', 'kernels');
    await ensureRuntimeRoot(path);
    const info = lstatSync(path);
    expect(info.isDirectory()).toBe(true);
    expect(info.uid).toBe(process.getuid!());
    expect(info.mode & 0o7777).toBe(0o711);
  });

  it('refuses a symbolic link in its place, even to a folder of the launcher’s own', async () => {
    const target = join(scratch.path, 'elsewhere');
    mkdirSync(target, { mode: 0o711 });
    const link = join(scratch.path, 'linked');
    symlinkSync(target, link);
    await expect(ensureRuntimeRoot(link)).rejects.toBeInstanceOf(SandboxSetupError);
    await expect(ensureRuntimeRoot(link)).rejects.toThrow(/symbolic link/);
    await expect(startIn(link)).rejects.toThrow(/symbolic link/);
    expect(readdirSync(target)).toEqual([]); // no kernel folder, no connection file went there
  });

  it('refuses a folder others may write', async () => {
    const path = join(scratch.path, 'writable');
    mkdirSync(path);
    chmodSync(path, 0o777);
    await expect(ensureRuntimeRoot(path)).rejects.toThrow(/not a private folder of this user.*mode 777/);
    await expect(startIn(path)).rejects.toBeInstanceOf(SandboxSetupError);
    expect(readdirSync(path)).toEqual([]);
  });

  it.runIf(isRoot)('refuses a folder another user made first', async () => {
    const path = join(scratch.path, 'theirs');
    mkdirSync(path, { mode: 0o711 });
    chownSync(path, NOBODY, NOBODY);
    await expect(ensureRuntimeRoot(path)).rejects.toThrow(
      /not a private folder of this user \(owner uid 65534/,
    );
    await expect(startIn(path)).rejects.toBeInstanceOf(SandboxSetupError);
    expect(readdirSync(path)).toEqual([]);
    expect(existsSync(join(path, 'masked-file'))).toBe(false);
  });
});
