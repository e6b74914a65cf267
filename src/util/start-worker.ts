/**
 * Starts a worker thread on a module of src/. Built, the module is a .js file Node loads itself;
 * run from the sources (tsx, vitest) it is a .ts file that Node 20 cannot load in a worker
 * (the parent's loader hooks do not reach it), so the worker registers tsx first.
 */
import { Worker } from 'node:worker_threads';

/** `module`: the worker's URL, named with the caller's own extension (see `besideModule`). */
export function startWorker(module: URL): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module);
  const load = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(load, { eval: true });
}

/** The URL of module `name` (no extension) beside `callerUrl`, with the caller's extension. */
export function besideModule(name: string, callerUrl: string): URL {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(callerUrl).pathname)?.[0] ?? '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}
