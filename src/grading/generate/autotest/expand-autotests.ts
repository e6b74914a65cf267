/**
 * InstantiateTests: expands `### AUTOTEST expr` (and `### HASHED AUTOTEST expr`) lines in test
 * cells into assertions, as nbgrader does: a kernel runs the notebook's code cell by cell, asks the
 * type of each expression (autotests.yml `dispatch`), evaluates that type's test templates, and
 * writes `check` assertions with the values it got (hashed with a salt when HASHED is given).
 * The kernel comes from the pipeline's context (NotebookKernels: the course layer decides where it
 * runs and under which sandbox), so the instructor's code runs sandboxed too.
 */
import { createHash } from 'node:crypto';
import { cellSource, isGrade, type Cell, type Notebook } from '../../../notebook/index.js';
import type { KernelSession, NotebookKernels } from '../../execution.js';
import { gradeIdOf } from '../../pipeline/step.js';
import { GenerateError, RegionError } from '../errors.js';
import { readAutotestTemplates, type AutotestTemplates } from './autotests-file.js';
import { renderTemplate } from './templates.js';
import { getOwn } from '../../../util/own-keys.js';

const DELIMITER = 'AUTOTEST';
const HASHED = 'HASHED';
const COMMENT: Record<string, string> = { ir: '#', python: '#', python3: '#' };

/** The kernel's text/plain result, cleaned as nbgrader's per-kernel sanitizers do. */
function sanitize(kernelName: string, text: string): string {
  const strip = (s: string) => s.replace(/^"+|"+$/g, '').replace(/^'+|'+$/g, '');
  return kernelName === 'ir' ? strip(text.replace(/\[\d+\]\s+/g, '')) : strip(text);
}

export function hasAutotests(notebook: Notebook): boolean {
  return notebook.cells.some((cell) => cell.cell_type === 'code' && cellSource(cell).includes(DELIMITER));
}

export interface ExpandAutotestsOptions {
  /** Kernels running in a scratch copy of the assignment's files. */
  kernels: NotebookKernels;
  /** autotests.yml text (assignment folder first, else course root). */
  autotestsYaml: string;
  /** Seconds each snippet may run. */
  timeoutSeconds: number;
}

class SnippetRunner {
  constructor(
    private readonly session: KernelSession,
    private readonly kernelName: string,
    private readonly timeoutMs: number,
  ) {}

  /** Runs code; returns the sanitized text/plain of its last result, or 'None' when it had none. */
  async run(code: string, where: { cellIndex: number; gradeId?: string | undefined }): Promise<string> {
    const result = await this.session.execute(code, { timeoutMs: this.timeoutMs });
    const error = result.outputs.find((o) => o.output_type === 'error');
    if (result.status !== 'ok' || error)
      throw new GenerateError(
        `running the notebook for AUTOTEST failed: ${error && 'ename' in error ? `${error.ename}: ${error.evalue}` : result.status}`,
        where,
        { hint: `The code that failed:\n${code}` },
      );
    let value: string | undefined;
    for (const output of result.outputs)
      if (output.output_type === 'execute_result' || output.output_type === 'display_data') {
        const plain = output.data['text/plain'];
        if (plain !== undefined) value = Array.isArray(plain) ? plain.join('') : String(plain);
      }
    return value === undefined ? 'None' : sanitize(this.kernelName, value);
  }
}

/** Salt seed per cell, as nbgrader computes it, so releases are reproducible. */
function saltSeed(source: string, index: number): bigint {
  const digest = createHash('sha256')
    .update(source + String(index), 'utf8')
    .digest('hex');
  return BigInt('0x' + digest) % 1_000_000n;
}

async function instantiate(
  runner: SnippetRunner,
  templates: AutotestTemplates,
  snippet: string,
  salt: string | undefined,
  where: { cellIndex: number; gradeId?: string | undefined },
): Promise<string[]> {
  const type = await runner.run(renderTemplate(templates.dispatch, { snippet }), where);
  const tests = templates.templates[type] ?? templates.templates.default!;
  const lines: string[] = [];
  for (const test of tests) {
    const message = renderTemplate(test.fail, { snippet }).replace(/"/g, '\\"');
    let template = renderTemplate(templates.normalize, { snippet: test.test });
    if (salt !== undefined) template = renderTemplate(templates.hash!, { snippet: template, salt });
    const code = renderTemplate(template, { snippet });
    const value = await runner.run(code, where);
    lines.push(renderTemplate(templates.check, { snippet: code, value, message }));
  }
  return lines;
}

async function expandCell(
  cell: Cell,
  cellIndex: number,
  runner: SnippetRunner,
  templates: AutotestTemplates,
  comment: string,
): Promise<void> {
  const source = cellSource(cell);
  if (cell.cell_type !== 'code' || source.length === 0) return;
  const where = { cellIndex, gradeId: gradeIdOf(cell) };
  const grade = isGrade(cell);
  let salt = saltSeed(source, cellIndex);
  let setupInserted = false;
  let pending: string[] = [];
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.includes(DELIMITER) || !line.trim().startsWith(comment)) {
      lines.push(line);
      pending.push(line);
      continue;
    }
    await runner.run(pending.join('\n'), where);
    pending = [];
    if (!grade)
      throw new RegionError(
        "AutoTest region detected in a non-grade cell; please make sure all autotest regions are within 'Autograder tests' cells.",
        where,
        { hint: 'Mark the cell as "Autograder tests" in the Create Assignment toolbar.' },
      );
    if (templates.setup !== undefined && !setupInserted) {
      lines.push(templates.setup);
      setupInserted = true;
      await runner.run(templates.setup, where);
    }
    const at = line.indexOf(DELIMITER);
    const hashed = line.slice(0, at).includes(HASHED);
    if (hashed && templates.hash === undefined)
      throw new GenerateError(
        'Found a hashing delimiter, but the hash property has not been set in autotests.yml',
        where,
      );
    const snippets = line
      .slice(at + DELIMITER.length)
      .replace(/^;+|;+$/g, '')
      .split(';')
      .map((s) => s.trim());
    // nbgrader removes one empty snippet (list.remove), not all of them.
    const empty = snippets.indexOf('');
    if (empty !== -1) snippets.splice(empty, 1);
    for (const snippet of snippets) {
      let saltText: string | undefined;
      if (hashed) {
        salt += 1n;
        saltText = salt.toString(16);
      }
      lines.push(...(await instantiate(runner, templates, snippet, saltText, where)), '');
    }
  }
  if (grade && source.includes(DELIMITER) && templates.success !== undefined) {
    lines.push(templates.success);
    pending.push(templates.success);
  }
  if (pending.length > 0) await runner.run(pending.join('\n'), where);
  cell.source = lines.join('\n');
}

/** Expands every AUTOTEST directive of the notebook in place. */
export async function expandAutotests(notebook: Notebook, options: ExpandAutotestsOptions): Promise<void> {
  const kernelName = notebook.metadata.kernelspec?.name ?? '';
  const comment = getOwn(COMMENT, kernelName);
  if (comment === undefined)
    throw new GenerateError(
      `Kernel ${kernelName} has not been specified in InstantiateTests.comment_strs`,
      {},
      {
        hint: 'AUTOTEST works with the python, python3 and ir kernels.',
      },
    );
  const templates = readAutotestTemplates(options.autotestsYaml, kernelName);
  const session = await options.kernels.start({
    kernelName,
    env: {},
    startupTimeoutMs: 60_000,
  });
  try {
    const runner = new SnippetRunner(session, kernelName, options.timeoutSeconds * 1000);
    for (const [index, cell] of notebook.cells.entries())
      await expandCell(cell, index, runner, templates, comment);
  } finally {
    await session.shutdown();
  }
}
