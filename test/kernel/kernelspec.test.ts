import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  getKernelSpec,
  findKernelSpecs,
  kernelSpecDirs,
  KernelSpecInvalidError,
  KernelSpecNotFoundError,
} from '../../src/kernel/index.js';
import { scratchDir } from '../support/kernel.js';

const scratch = scratchDir();
afterAll(() => scratch.remove());

function writeSpec(root: string, name: string, spec: unknown): string {
  const dir = join(root, 'kernels', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), typeof spec === 'string' ? spec : JSON.stringify(spec));
  return join(root, 'kernels');
}

describe('kernelSpecDirs', () => {
  it('follows jupyter_core: JUPYTER_PATH, then the user data dir, then /usr/local and /usr', () => {
    expect(kernelSpecDirs({ JUPYTER_PATH: '/a:/b', HOME: '/home/x' })).toEqual([
      '/a/kernels',
      '/b/kernels',
      '/home/x/.local/share/jupyter/kernels',
      '/usr/local/share/jupyter/kernels',
      '/usr/share/jupyter/kernels',
    ]);
    expect(kernelSpecDirs({ JUPYTER_DATA_DIR: '/data', HOME: '/home/x' })[0]).toBe('/data/kernels');
  });
});

describe('getKernelSpec', () => {
  it("finds Debian's python3 kernel with the system Python that has ipykernel", () => {
    const spec = getKernelSpec('python3', { kernelspecDirs: ['/usr/share/jupyter/kernels'] });
    expect(spec.resourceDir).toBe('/usr/share/jupyter/kernels/python3');
    expect(spec.argv[0]).toBe('/usr/bin/python3');
    expect(spec.argv).toContain('{connection_file}');
    expect(spec.interruptMode).toBe('signal');
  });

  it('resolves "python" (nbgrader fixtures) to python3 as jupyter_client KernelManager does', () => {
    expect(getKernelSpec('python', { kernelspecDirs: ['/usr/share/jupyter/kernels'] }).name).toBe('python3');
  });

  it('lets the first directory win and matches names case-insensitively', () => {
    const first = writeSpec(join(scratch.path, 'first'), 'Mine', {
      argv: ['/bin/first', '{connection_file}'],
    });
    const second = writeSpec(join(scratch.path, 'second'), 'mine', {
      argv: ['/bin/second', '{connection_file}'],
    });
    expect(getKernelSpec('MINE', { kernelspecDirs: [first, second] }).argv[0]).toBe('/bin/first');
    expect([...findKernelSpecs({ kernelspecDirs: [first, second] }).keys()]).toEqual(['mine']);
  });

  it('swaps a bare python argv[0] for the configured interpreter, and keeps absolute paths', () => {
    const dirs = writeSpec(join(scratch.path, 'bare'), 'py', {
      argv: ['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      interrupt_mode: 'message',
      env: { FOO: 'bar' },
    });
    const spec = getKernelSpec('py', { kernelspecDirs: [dirs], pythonExecutable: '/opt/py/bin/python' });
    expect(spec.argv[0]).toBe('/opt/py/bin/python');
    expect(spec.interruptMode).toBe('message');
    expect(spec.env).toEqual({ FOO: 'bar' });
  });

  it('falls back to the native python3 kernel when no kernel.json provides it', () => {
    const spec = getKernelSpec('python3', { kernelspecDirs: [join(scratch.path, 'empty')] });
    expect(spec.resourceDir).toBeNull();
    expect(spec.argv.slice(0, 3)).toEqual(['/usr/bin/python3', '-m', 'ipykernel_launcher']);
  });

  it('refuses an unknown kernel with a message that lists the installed ones', () => {
    const error = (() => {
      try {
        getKernelSpec('blah', { kernelspecDirs: ['/usr/share/jupyter/kernels'] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KernelSpecNotFoundError);
    expect((error as Error).message).toContain('"blah"');
    expect((error as Error).message).toContain('python3');
    expect((error as KernelSpecNotFoundError).hint).toMatch(/install/i);
  });

  it('refuses a broken kernel.json clearly', () => {
    const dirs = writeSpec(join(scratch.path, 'broken'), 'bad', '{not json');
    expect(() => getKernelSpec('bad', { kernelspecDirs: [dirs] })).toThrow(KernelSpecInvalidError);
    const noArgv = writeSpec(join(scratch.path, 'noargv'), 'bad2', { display_name: 'x' });
    expect(() => getKernelSpec('bad2', { kernelspecDirs: [noArgv] })).toThrow(/argv/);
  });
});
