/**
 * This coursehub installation on disk: where it is, and how to run its own CLI, both from the
 * compiled `dist/` (`npm run build`) and from `src/` under tsx (development and the tests). The
 * proxy process and the `coursehub` command inside users' servers run exactly the code the hub
 * runs.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
/** Whether this process runs the TypeScript sources (through tsx) rather than `dist/`. */
const fromSource = here.endsWith('.ts');

/** The installation's root folder: the one with package.json, `src/` and `dist/`. */
export const INSTALLATION_ROOT = join(dirname(here), '..', '..');

/**
 * What of the installation its CLI reads (nothing else: no configuration, no data folder that an
 * admin may have left in the root), relative to INSTALLATION_ROOT.
 */
export const CLI_FILES: readonly string[] = [
  'package.json',
  'tsconfig.json',
  'bin',
  fromSource ? 'src' : 'dist',
  'node_modules',
];

/** `node [--import tsx] <this installation's cli/main>`: add the CLI's arguments after `args`. */
export function coursehubCli(): { executable: string; args: string[] } {
  const entry = join(
    INSTALLATION_ROOT,
    fromSource ? 'src' : 'dist',
    'cli',
    fromSource ? 'main.ts' : 'main.js',
  );
  const loader = fromSource ? ['--import', import.meta.resolve('tsx')] : [];
  return { executable: process.execPath, args: [...loader, entry] };
}
