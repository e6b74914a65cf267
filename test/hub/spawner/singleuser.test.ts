// What every user server gets besides Jupyter (src/hub/spawner/singleuser.ts), on its own: the
// `coursehub` launcher runs this installation's CLI, the read-only paths are the CLI's files and
// not the installation's root, and an admin's JUPYTER_CONFIG_PATH is kept behind ours. The whole
// of it inside a real server is test/e2e/singleuser.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTALLATION_ROOT } from '../../../src/hub/installation.js';
import {
  ensureLauncher,
  SINGLEUSER_CONFIG,
  singleuserEnv,
  singleuserReadOnlyPaths,
} from '../../../src/hub/spawner/singleuser.js';

const parent = mkdtempSync(join(tmpdir(), 'coursehub-launcher-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('the singleuser additions', () => {
  it('writes a launcher (0755, named after its text, written once) that runs this installation’s CLI', async () => {
    const folder = await ensureLauncher(parent);
    expect(folder).toMatch(/\/bin-[0-9a-f]{16}$/);
    expect(await ensureLauncher(parent)).toBe(folder);
    const launcher = join(folder, 'coursehub');
    expect(statSync(launcher).mode & 0o777).toBe(0o755);
    expect(readFileSync(launcher, 'utf8')).toContain(INSTALLATION_ROOT);
    const run = spawnSync(launcher, ['--help'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: coursehub /);
  }, 60_000);

  it('lets a server see the CLI’s files and the launcher, not the installation’s root nor what its view has', () => {
    const paths = singleuserReadOnlyPaths(parent, ['/usr']);
    expect(paths).toContain(join(INSTALLATION_ROOT, 'package.json'));
    expect(paths).toContain(join(INSTALLATION_ROOT, 'node_modules'));
    expect(paths).toContain(SINGLEUSER_CONFIG);
    expect(paths).toContain(parent);
    expect(paths).not.toContain(INSTALLATION_ROOT);
    expect(paths.filter((path) => path.startsWith('/usr/'))).toEqual([]);
    // Everything bound is inside the CLI's own folders (or the launcher's, or node).
    const allowed = [
      'package.json',
      'tsconfig.json',
      'bin',
      'src',
      'dist',
      'node_modules',
      'share/singleuser',
    ];
    for (const path of paths.filter((p) => p.startsWith(`${INSTALLATION_ROOT}/`)))
      expect(allowed).toContain(path.slice(INSTALLATION_ROOT.length + 1));
  });

  it('puts the launcher first on PATH and our notebook configuration before an admin’s', () => {
    expect(singleuserEnv('/x/bin', '/usr/bin:/bin', undefined)).toEqual({
      PATH: '/x/bin:/usr/bin:/bin',
      JUPYTER_CONFIG_PATH: SINGLEUSER_CONFIG,
    });
    expect(singleuserEnv('/x/bin', '/usr/bin', '/opt/course/jupyter').JUPYTER_CONFIG_PATH).toBe(
      `${SINGLEUSER_CONFIG}:/opt/course/jupyter`,
    );
  });
});
