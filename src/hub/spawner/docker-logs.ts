/**
 * A user container's output, kept: the container is removed at every stop, and its log with it,
 * so the spawner copies it first into DATA_DIR/logs/servers/CONTAINER.log (the file the hub's
 * messages point to), and quotes its last lines when the server ended on its own.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';

/** The container's stdout and stderr as text (Docker frames them with 8-byte headers without a TTY). */
export async function containerOutput(container: Docker.Container, tail: number): Promise<string> {
  const framed = (await container.logs({ stdout: true, stderr: true, follow: false, tail })) as Buffer;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= framed.length) {
    const size = framed.readUInt32BE(offset + 4);
    parts.push(framed.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Appends the container's whole output to `logDir/NAME.log` (0700 folder, like the local spawner's). */
export async function keepContainerLog(
  container: Docker.Container,
  logDir: string,
  name: string,
): Promise<void> {
  const output = await containerOutput(container, 100_000).catch(() => '');
  if (output === '') return;
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  await appendFile(join(logDir, `${name}.log`), output, { mode: 0o600 });
}
