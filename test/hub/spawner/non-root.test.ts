// "A hub not running as root falls back to running servers as its own user, and says so": the
// local spawner run by an unprivileged account (nobody, through setpriv) starts a real
// jupyter-notebook as that account, logs a warning that says so, and the server answers.
import { spawn } from 'node:child_process';
import { chownSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runCodeOnServer } from './run-code.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const root = mkdtempSync(join(tmpdir(), 'coursehub-nonroot-spawner-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Live (not zombie) processes: pid, process group, real uid, command line. */
function liveProcesses(): { pid: number; pgid: number; uid: number; cmdline: string }[] {
  const out: { pid: number; pgid: number; uid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      out.push({
        pid: Number(entry),
        pgid: Number(fields[2]),
        uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]),
        cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '),
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Real uid of every live process in process group `pgid` (the server leads its own group). */
function uidsInGroup(pgid: number): number[] {
  return liveProcesses()
    .filter((process) => process.pgid === pgid)
    .map((process) => process.uid);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('LocalProcessSpawner in a hub that is not root', () => {
  it(
    "runs the server as the hub's own user, says so in a warning, and the server answers",
    { timeout: 120_000 },
    async () => {
      // As root, the child drops to nobody; a test run that is not root already is what we test.
      chmodSync(root, 0o755);
      if (isRoot) chownSync(root, NOBODY, NOBODY);
      const child = join(import.meta.dirname, 'non-root-child.ts');
      const node = [process.execPath, '--import', 'tsx', child, root];
      const argv = isRoot
        ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...node]
        : node;
      const running = spawn(argv[0]!, argv.slice(1), {
        cwd: join(import.meta.dirname, '..', '..', '..'),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: running.stdout! })[Symbol.asyncIterator]();
      let stopped = false;
      try {
        const report = JSON.parse(String((await lines.next()).value)) as {
          uid: number;
          logs: { level: number; msg: string }[];
          pid: number;
          url: string;
          token: string;
          answered: boolean;
          ownsAddress: boolean;
        };
        const hubUid = isRoot ? NOBODY : process.getuid!();
        expect(report.uid).toBe(hubUid);
        expect(report.answered).toBe(true);
        expect(report.ownsAddress).toBe(true);
        // The warning, at warn level (40), naming the account the server runs as.
        const warning = report.logs.find((entry) => entry.level === 40);
        expect(warning?.msg).toMatch(/not running as root: the server runs as the hub's own user \(\w+\)/);
        expect(report.logs.find((entry) => /started user server/.test(entry.msg))?.msg).toContain('rlimit');

        // Every process of the server (bubblewrap, jupyter-notebook) runs as the hub's uid...
        const uids = uidsInGroup(report.pid);
        expect(uids.length).toBeGreaterThan(0);
        expect(new Set(uids)).toEqual(new Set([hubUid]));
        // ...and so does a kernel it starts; the home it was given is that user's.
        const out = await runCodeOnServer(
          report.url,
          report.token,
          'import os; print(os.getuid(), os.getcwd())',
        );
        expect(out.trim()).toBe(`${hubUid} ${join(root, 'homes', 'alice')}`);
        expect(statSync(join(root, 'homes', 'alice')).uid).toBe(hubUid);
        const status = await fetch(new URL('api/status', report.url), {
          headers: { authorization: `token ${report.token}` },
        });
        expect(status.status).toBe(200);

        // Without root there are no cgroups to find the kernels by (they leave the server's
        // process group): stopping must still take a running kernel down with the server.
        const kernel = await fetch(new URL('api/kernels', report.url), {
          method: 'POST',
          headers: { authorization: `token ${report.token}` },
          body: '{}',
        });
        const { id: kernelId } = (await kernel.json()) as { id: string };
        expect(liveProcesses().some((process) => process.cmdline.includes(kernelId))).toBe(true);
        running.stdin!.end();
        expect(JSON.parse(String((await lines.next()).value))).toMatchObject({ stopped: true });
        stopped = true;
        // stop() resolves once SIGKILL is sent to the group; the killed processes take a moment
        // more to finish exiting.
        await until(() => uidsInGroup(report.pid).length === 0, 5_000);
        expect(uidsInGroup(report.pid)).toEqual([]);
        expect(liveProcesses().filter((process) => process.cmdline.includes(kernelId))).toEqual([]);
      } finally {
        // A failed check must not leave the server running: the child stops it when stdin ends.
        if (!stopped) {
          running.stdin!.end();
          await Promise.race([lines.next(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
        }
        running.kill('SIGKILL');
      }
    },
  );
});
