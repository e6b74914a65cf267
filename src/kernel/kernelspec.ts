/**
 * Kernelspec discovery, following jupyter_client's KernelSpecManager and jupyter_core's
 * jupyter_path(): JUPYTER_PATH entries first, then the user data dir (JUPYTER_DATA_DIR or
 * ~/.local/share/jupyter), then /usr/local/share/jupyter and /usr/share/jupyter, each with a
 * `kernels/` subfolder. The first directory that has a name wins; names match case-insensitively.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KernelSpecInvalidError, KernelSpecNotFoundError } from './errors.js';

export interface KernelSpec {
  name: string;
  /** The folder holding kernel.json (null for the built-in native Python fallback). */
  resourceDir: string | null;
  argv: string[];
  displayName: string;
  language: string;
  interruptMode: 'signal' | 'message';
  env: Record<string, string>;
}

export interface KernelSpecSearchOptions {
  /** Folders that hold `<name>/kernel.json`; default: the Jupyter search path (see kernelSpecDirs). */
  kernelspecDirs?: string[];
  /**
   * The Python that has ipykernel. jupyter_client swaps a bare `python`/`python3` argv[0] for its
   * own sys.executable; we have no sys.executable, and here the `python3` first on PATH is a
   * pyenv build without ipykernel, so a bare name becomes this absolute path instead.
   */
  pythonExecutable?: string;
}

/** The native kernel's name (jupyter_client NATIVE_KERNEL_NAME). */
export const NATIVE_KERNEL_NAME = 'python3';
export const DEFAULT_PYTHON = '/usr/bin/python3';

/**
 * KernelManager treats `python` as an alias of the native kernel (its kernel_name observer), which
 * is why nbgrader's fixture notebooks, whose kernelspec says `python`, run on `python3`.
 */
const NAME_ALIASES: Record<string, string> = { python: NATIVE_KERNEL_NAME };

/** The Jupyter data path for kernelspecs, in jupyter_core's order, from an environment. */
export function kernelSpecDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  for (const entry of (env.JUPYTER_PATH ?? '').split(':')) if (entry) dirs.push(entry);
  dirs.push(env.JUPYTER_DATA_DIR || join(env.HOME || homedir(), '.local', 'share', 'jupyter'));
  dirs.push('/usr/local/share/jupyter', '/usr/share/jupyter');
  return dirs.map((dir) => join(dir, 'kernels'));
}

function isKernelDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'kernel.json'));
  } catch {
    return false;
  }
}

/** Every kernelspec name found, mapped to its folder (first folder wins, as in Jupyter). */
export function findKernelSpecs(options: KernelSpecSearchOptions = {}): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of options.kernelspecDirs ?? kernelSpecDirs()) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const key = name.toLowerCase();
      if (!found.has(key) && isKernelDir(join(dir, name))) found.set(key, join(dir, name));
    }
  }
  return found;
}

function resolvePython(argv: string[], python: string): string[] {
  const [first, ...rest] = argv;
  if (first !== undefined && /^python(\d+(\.\d+)?)?$/.test(first)) return [python, ...rest];
  return argv;
}

function parseKernelJson(name: string, resourceDir: string, python: string): KernelSpec {
  const file = join(resourceDir, 'kernel.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new KernelSpecInvalidError(`The kernelspec ${file} is not valid JSON.`, {
      hint: 'Fix or remove that kernel.json (see `jupyter kernelspec list`).',
      cause,
    });
  }
  const spec = raw as Record<string, unknown>;
  const argv = spec.argv;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) {
    throw new KernelSpecInvalidError(`The kernelspec ${file} has no usable "argv" list.`, {
      hint: 'A kernel.json needs "argv": ["/path/to/kernel", ..., "{connection_file}"].',
    });
  }
  const env = spec.env && typeof spec.env === 'object' ? (spec.env as Record<string, string>) : {};
  return {
    name,
    resourceDir,
    argv: resolvePython(argv as string[], python),
    displayName: typeof spec.display_name === 'string' ? spec.display_name : name,
    language: typeof spec.language === 'string' ? spec.language : '',
    interruptMode: spec.interrupt_mode === 'message' ? 'message' : 'signal',
    env,
  };
}

/**
 * The kernelspec for a notebook's kernel name. Like jupyter_client, `python3` still works when no
 * kernel.json exists for it (ipykernel's built-in spec).
 */
export function getKernelSpec(requestedName: string, options: KernelSpecSearchOptions = {}): KernelSpec {
  const python = options.pythonExecutable ?? DEFAULT_PYTHON;
  const lower = requestedName.toLowerCase();
  const name = NAME_ALIASES[lower] ?? lower;
  const specs = findKernelSpecs(options);
  const resourceDir = specs.get(name);
  if (resourceDir) return parseKernelJson(name, resourceDir, python);
  if (name === NATIVE_KERNEL_NAME) {
    return {
      name,
      resourceDir: null,
      argv: [python, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      displayName: 'Python 3 (ipykernel)',
      language: 'python',
      interruptMode: 'signal',
      env: {},
    };
  }
  const known = [...specs.keys()].sort().join(', ') || 'none';
  throw new KernelSpecNotFoundError(`No kernel named "${requestedName}" is installed (found: ${known}).`, {
    hint:
      'Install that kernel (e.g. `python -m ipykernel install --name NAME`) or change the ' +
      "notebook's kernelspec to one of the installed kernels.",
  });
}
