// The tar helper's fork becomes the account exactly as setpriv does before tar runs: the account's
// uid and gid only, no supplementary group, no capability in any set, no_new_privs. Checked in a
// fork of the helper's own code (as root, as the hub runs), reading /proc/self/status; and a pack
// through the helper refuses a link in the path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packWithHelper } from '../../src/sandbox/tar-helper.js';

const SCRIPT = fileURLToPath(new URL('../../src/sandbox/tar-helper.py', import.meta.url));
const NOBODY = 65534;
const root = mkdtempSync(join(tmpdir(), 'coursehub-tar-helper-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.runIf(process.getuid?.() === 0)('tar helper (as root)', () => {
  it('drops to the account as setpriv does: no groups, no capabilities, no_new_privs', () => {
    const status = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `import importlib.util, os
spec = importlib.util.spec_from_file_location("helper", ${JSON.stringify(SCRIPT)})
helper = importlib.util.module_from_spec(spec); spec.loader.exec_module(helper)
helper.become(${NOBODY}, ${NOBODY})
print(open("/proc/self/status").read())`,
      ],
      { encoding: 'utf8' },
    );
    const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim();
    expect(field('Uid')!.split(/\s+/)).toEqual(Array(4).fill(String(NOBODY)));
    expect(field('Gid')!.split(/\s+/)).toEqual(Array(4).fill(String(NOBODY)));
    expect(field('Groups')).toBe('');
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
      expect(field(set)).toBe('0000000000000000');
    expect(field('NoNewPrivs')).toBe('1');
  });

  it('packs as the account, and refuses a link in the path before tar runs', async () => {
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'real'));
    writeFileSync(join(root, 'real', 'a.txt'), 'hello');
    writeFileSync(join(root, 'real', 'secret.txt'), 'root only');
    chmodSync(join(root, 'real', 'secret.txt'), 0o600);
    symlinkSync(join(root, 'real'), join(root, 'link'));
    const denied = packWithHelper(root, 'real', { uid: NOBODY, gid: NOBODY }, ['--create', '--file=-', '.']);
    let stderr = '';
    denied.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    denied.stdout.resume();
    expect((await denied.exit).code).not.toBe(0);
    expect(stderr).toMatch(/secret\.txt: Cannot open: Permission denied/);
    const linked = packWithHelper(root, 'link', { uid: NOBODY, gid: NOBODY }, ['--create', '--file=-', '.']);
    linked.stdout.resume();
    await expect(linked.exit).rejects.toThrow(/Too many levels of symbolic links|Not a directory/);
  });
});
