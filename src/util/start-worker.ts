/**
 * Starts a worker thread on a program given as a function: the thread runs the function's source
 * text, with `require` as its one argument. No module is loaded for it, so the thread starts the
 * same from the build (.js) and from the sources under tsx or vitest, where a worker on a .ts
 * module would first need its own TypeScript loader (Node 20 does not pass the parent's on;
 * registering tsx in each thread cost ~200 ms of CPU, more than the work it was started for).
 *
 * The function must therefore use nothing from outside its body but what it loads with that
 * `require`. Transpilers that keep function names (tsx) wrap named functions in `__name(...)`:
 * the thread defines it as the identity.
 */
import { Worker } from 'node:worker_threads';

export function startProgram(program: (load: NodeJS.Require) => void): Worker {
  const source = `const __name = (target) => target;\n(${program.toString()})(require);\n`;
  return new Worker(source, { eval: true });
}
