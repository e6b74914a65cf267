/**
 * The files a grading kernel needs on the host: the private folder for every kernel's runtime
 * directory (which also holds the sandbox's mask file), the connection file, and the working copy
 * handed to the grader account.
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionInfo } from './channels.js';
import { ensurePrivateFolder } from '../sandbox/private-folder.js';
import type { SandboxAccount } from '../sandbox/sandbox.js';
import type { KernelSpec } from './kernelspec.js';

/**
 * The folder for every kernel's runtime directory (0711: the grader account reaches its own
 * runtime directory inside, and lists nothing). It lives in a shared /tmp, so one that someone
 * else created in advance, or a symlink, is refused: they could read connection keys or swap sockets.
 */
export async function ensureRuntimeRoot(path: string): Promise<void> {
  await ensurePrivateFolder(path, 0o711, 'kernel runtime folder');
}

export async function writeConnectionFile(runtimeDir: string, spec: KernelSpec): Promise<ConnectionInfo> {
  const connection: ConnectionInfo = {
    transport: 'ipc',
    ip: join(runtimeDir, 'kernel'),
    shell_port: 1,
    iopub_port: 2,
    stdin_port: 3,
    control_port: 4,
    hb_port: 5,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: spec.name,
  };
  await writeFile(join(runtimeDir, 'kernel.json'), JSON.stringify(connection), { mode: 0o600 });
  return connection;
}

export async function chownTree(path: string, account: SandboxAccount): Promise<void> {
  const info = await lstat(path);
  // Not root (a hub run as its own user): the files stay the hub's, which is the kernel's own
  // account then, so a refused chown is expected and changes nothing.
  await chown(path, account.uid, account.gid).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPERM') throw err;
  });
  if (info.isDirectory()) {
    await chmod(path, (info.mode & 0o7777) | 0o700);
    for (const entry of await readdir(path)) await chownTree(join(path, entry), account);
  }
}
