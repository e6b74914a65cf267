/**
 * `npm run fuzz`: 100,000 generated inputs for each parser of user input (test/fuzz/targets.ts),
 * each parser in its own worker thread watched for hangs. Prints `NAME: N inputs, 0 crashes` per
 * parser, or the first counterexample, shrunk, and exits 1 if any parser crashed or hung.
 *
 *   npm run fuzz                                             # 100,000 inputs a parser, a new seed
 *   FUZZ_RUNS=1000 FUZZ_SEED=42 npm run fuzz -- 'notebook JSON'   # fewer, a fixed seed, one parser
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { FUZZ_TARGETS, removeFuzzFolder } from './targets.js';

/** No progress for this long is a hang. */
const HANG_MS = 60_000;
/** The worker reports progress every this many inputs. */
const REPORT_EVERY = 100;

interface Job {
  target: string;
  seed: number;
  runs: number;
}

type Report = { kind: 'progress'; inputs: number } | { kind: 'done'; line: string; crashed: boolean };

async function fuzzInWorker({ target: name, seed, runs }: Job): Promise<void> {
  const target = FUZZ_TARGETS.find((t) => t.name === name)!;
  const say = (report: Report) => parentPort!.postMessage(report);
  let inputs = 0;
  const details = await fc.check(
    fc.asyncProperty(target.arbitrary, async (input) => {
      if (++inputs % REPORT_EVERY === 0) say({ kind: 'progress', inputs });
      await target.check(input);
    }),
    { seed, numRuns: runs },
  );
  removeFuzzFolder();
  if (!details.failed) {
    say({ kind: 'done', line: `${name}: ${details.numRuns} inputs, 0 crashes`, crashed: false });
    return;
  }
  const error = details.errorInstance;
  const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
  say({
    kind: 'done',
    crashed: true,
    line:
      `${name}: CRASH after ${details.numRuns} inputs (seed ${seed}, path ${details.counterexamplePath}, ` +
      `${details.numShrinks} shrinks)\n  counterexample: ${fc.stringify(details.counterexample?.[0])}\n  ` +
      reason.split('\n').slice(0, 8).join('\n  '),
  });
}

/**
 * Where a hung worker was: the same seed generates the same inputs, so the ones since its last
 * report are generated again here to be shown (the hang is among them).
 */
function hungInputs(job: Job, reported: number): string {
  const target = FUZZ_TARGETS.find((t) => t.name === job.target)!;
  const inputs = fc.sample(target.arbitrary, { seed: job.seed, numRuns: reported + REPORT_EVERY });
  return inputs
    .slice(reported)
    .map((input, i) => `  #${reported + i + 1}: ${fc.stringify(input).slice(0, 2000)}`)
    .join('\n');
}

function fuzzTarget(job: Job): Promise<{ line: string; crashed: boolean }> {
  return new Promise((resolve) => {
    // The worker runs this file again, through tsx's loader (a worker's entry is loaded before
    // any --import hook, so it cannot be the .ts file itself).
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: job });
    let inputs = 0;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        void worker.terminate();
        const line = `${job.target}: HANG: no answer in ${HANG_MS / 1000} s after ${inputs} inputs; one of these:`;
        resolve({ crashed: true, line: `${line}\n${hungInputs(job, inputs)}` });
      }, HANG_MS);
    };
    arm();
    worker.on('message', (report: Report) => {
      if (report.kind === 'progress') {
        inputs = report.inputs;
        arm();
        return;
      }
      clearTimeout(watchdog);
      void worker.terminate();
      resolve(report);
    });
    worker.on('error', (error) => {
      clearTimeout(watchdog);
      resolve({
        crashed: true,
        line: `${job.target}: the worker died (${error.message}) after ${inputs} inputs`,
      });
    });
  });
}

if (isMainThread) {
  const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const only = process.argv.slice(2);
  const targets = FUZZ_TARGETS.filter((t) => only.length === 0 || only.includes(t.name));
  console.log(`fuzzing ${targets.length} parsers, ${runs} inputs each, seed ${seed}`);
  let crashed = false;
  for (const target of targets) {
    const started = Date.now();
    const result = await fuzzTarget({ target: target.name, seed, runs });
    console.log(`${result.line} (${Math.round((Date.now() - started) / 1000)} s)`);
    crashed ||= result.crashed;
  }
  process.exitCode = crashed ? 1 : 0;
} else {
  await fuzzInWorker(workerData as Job);
}
