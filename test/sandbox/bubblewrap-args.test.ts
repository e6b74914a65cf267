// The one bubblewrap command line: both sandboxes' views through the same builder and the same
// mask list: the host's secrets are masked for grading kernels and user servers alike.
import { describe, expect, it } from 'vitest';
import { bubblewrapArgs, type BubblewrapPlan } from '../../src/sandbox/bubblewrap-args.js';
import { SandboxSetupError } from '../../src/sandbox/errors.js';
import { GRADING_VIEW, MASKED_PATHS, USER_SERVER_VIEW } from '../../src/sandbox/system-view.js';

const MASK = '/run/coursehub/masked-file';

function plan(overrides: Partial<BubblewrapPlan>): BubblewrapPlan {
  return {
    namespaces: ['ipc', 'pid', 'uts'],
    dieWithParent: false,
    newSession: false,
    view: GRADING_VIEW,
    writable: [],
    hidden: [],
    maskFile: MASK,
    chdir: '/',
    ...overrides,
  };
}

/** The argument after each occurrence of `flag`. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));
}

describe('bubblewrapArgs', () => {
  it('builds a grading sandbox: secrets masked after every bind, no network, setpriv before the program', () => {
    const args = bubblewrapArgs(
      plan({
        namespaces: ['ipc', 'pid', 'net', 'uts', 'cgroup-try'],
        dieWithParent: true,
        newSession: true,
        tmpBytes: 1024,
        writable: ['/tmp/kernels/k1', '/var/grading/alice/ps1'],
        hidden: ['/var/grading/alice/ps1/.secret'],
        chdir: '/var/grading/alice/ps1',
        dropTo: { uid: 999, gid: 998 },
      }),
      ['python3', '-m', 'ipykernel_launcher'],
    );
    expect(args.slice(1, 8)).toEqual([
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--die-with-parent',
      '--new-session',
    ]);
    expect(valuesOf(args, '--ro-bind')).toContain('/etc');
    expect(valuesOf(args, '--ro-bind')).not.toContain('/opt');
    // /etc/shadow exists on every Debian machine: a mode-000 file is bound over it, after the binds.
    const shadow = args.indexOf('/etc/shadow');
    expect(args[shadow - 1]).toBe(MASK);
    expect(shadow).toBeGreaterThan(args.lastIndexOf('--bind'));
    expect(args.slice(args.indexOf('--size') - 2, args.indexOf('--size') + 4)).toEqual([
      '--perms',
      '1777',
      '--size',
      '1024',
      '--tmpfs',
      '/tmp',
    ]);
    // The binds' parents are made traversable for the account: /var and /var/grading ... not /tmp.
    expect(valuesOf(args, '--dir')).toEqual(['/tmp/kernels', '/var', '/var/grading', '/var/grading/alice']);
    const program = args.indexOf('--', args.indexOf('--chdir'));
    expect(args.slice(program + 1, program + 3)).toEqual(['/usr/bin/setpriv', '--reuid=999']);
    expect(args.slice(-3)).toEqual(['python3', '-m', 'ipykernel_launcher']);
  });

  it('builds a user server sandbox: /etc with the same mask list, /opt, an empty /home with only the own home in it', () => {
    const args = bubblewrapArgs(
      plan({
        view: USER_SERVER_VIEW,
        dieWithParent: true,
        writable: ['/home/alice'],
        chdir: '/home/alice',
      }),
      ['jupyter-notebook'],
    );
    expect(args).toContain('--die-with-parent'); // with the shell the hub watches (detached)
    expect(args).not.toContain('--new-session');
    expect(args).not.toContain('--unshare-net');
    expect(valuesOf(args, '--ro-bind')).toEqual(expect.arrayContaining(['/usr', '/etc', '/opt']));
    // The grading sandbox's mask list, the same one, after the binds.
    expect(USER_SERVER_VIEW.masked).toBe(GRADING_VIEW.masked);
    expect(USER_SERVER_VIEW.masked).toBe(MASKED_PATHS);
    const shadow = args.indexOf('/etc/shadow');
    expect(args[shadow - 1]).toBe(MASK);
    expect(shadow).toBeGreaterThan(args.lastIndexOf('--bind'));
    expect(args.indexOf('/home')).toBeLessThan(args.indexOf('/home/alice'));
    expect(valuesOf(args, '--tmpfs')[0]).toBe('/tmp');
    expect(valuesOf(args, '--tmpfs')[1]).toBe('/home');
    expect(valuesOf(args, '--bind')).toEqual(['/home/alice']);
    expect(valuesOf(args, '--dir')).toEqual([]); // /home is the emptied folder itself
    expect(args.slice(-2)).toEqual(['--', 'jupyter-notebook']);
  });

  it('binds extra read-only paths and links at their own path, under parents the account can traverse', () => {
    const args = bubblewrapArgs(
      plan({
        view: USER_SERVER_VIEW,
        readOnlyBinds: [
          { source: '/srv/coursehub/src', target: '/srv/coursehub/src' },
          { source: '/srv/shared/node_modules', target: '/srv/shared/node_modules' },
        ],
        symlinks: [{ target: '/srv/shared/node_modules', path: '/srv/coursehub/node_modules' }],
        writable: ['/home/alice'],
        chdir: '/home/alice',
      }),
      ['jupyter-notebook'],
    );
    // Without these, bwrap would make /srv and /srv/coursehub 0700 (root's umask): the account's
    // `coursehub` command could not reach its own files.
    expect(valuesOf(args, '--dir')).toEqual(['/srv', '/srv/coursehub', '/srv/shared']);
    expect(args.lastIndexOf('--dir')).toBeLessThan(args.indexOf('/srv/coursehub/src'));
    expect(valuesOf(args, '--ro-bind')).toEqual(
      expect.arrayContaining(['/srv/coursehub/src', '/srv/shared/node_modules']),
    );
    const link = args.lastIndexOf('--symlink');
    expect(args.slice(link, link + 3)).toEqual([
      '--symlink',
      '/srv/shared/node_modules',
      '/srv/coursehub/node_modules',
    ]);
  });

  it('refuses to mask a file without a mask file to bind over it', () => {
    expect(() => bubblewrapArgs(plan({ maskFile: undefined }), ['true'])).toThrow(SandboxSetupError);
  });
});
