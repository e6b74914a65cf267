// Every validate case of the nbgrader conformance suite, run in real (sandboxed) kernels: the
// report must be nbgrader's, word for word, except inside tracebacks, where IPython's formatting
// depends on its version: there only the exception lines are compared.
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateNotebookFile } from '../../src/course/index.js';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { caseDir, listCases, listFilesRecursive, readCase, readCaseText } from '../support/conformance.js';

const sandbox = (process.env.COURSEHUB_TEST_SANDBOX ?? 'bwrap') as 'bwrap' | 'none';
const launcher = createKernelLauncher({ sandbox, log: { warn: () => undefined } });
const scratch = mkdtempSync(join(tmpdir(), 'coursehub-validate-conformance-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Inside each "The error was:" block keep only the lines that name an exception (or say why the
 * cell failed): the frames around them are IPython-version formatting.
 */
function comparable(report: string): string {
  const sections = report.split(/(?=\n={90}\n)/);
  return sections
    .map((section) => {
      const at = section.indexOf('The error was:\n\n');
      if (at === -1) return section;
      const body = section.slice(at + 'The error was:\n\n'.length);
      const kept = body
        .split('\n')
        .filter((line) =>
          /^ {4}(\w+(Error|Exception|Interrupt)\b|You did not provide|Partial credit)/.test(line),
        )
        .map((line) => line.replace(/\s+Traceback \(most recent call last\)$/, ''));
      return section.slice(0, at) + 'The error was:\n' + kept.join('\n');
    })
    .join('');
}

const cases = listCases('validate');

describe('conformance: nbgrader validate', { timeout: 300_000 }, () => {
  it('finds the suite', () => expect(cases.length).toBe(10));

  it.each(cases)('%s', async (name) => {
    const spec = readCase('validate', name);
    const dir = join(scratch, name);
    cpSync(caseDir('validate', name), dir, { recursive: true });
    const owners = () => listFilesRecursive(dir).map((file) => `${file}:${statSync(join(dir, file)).uid}`);
    const ownersBefore = owners();
    for (const [index, step] of spec.steps.entries()) {
      const args = step.argv.slice(2);
      const notebooks = args.filter((a) => !a.startsWith('--'));
      const timeout = args.find((a) => a.startsWith('--Execute.timeout='));
      let report = '';
      for (const notebook of notebooks) {
        const validation = await validateNotebookFile(join(dir, notebook), {
          launcher,
          cellTimeoutSeconds: timeout ? Number(timeout.split('=')[1]) : 30,
          invert: args.includes('--invert'),
          ignoreChecksums: args.includes('--Validator.ignore_checksums=True'),
        });
        report += validation.report;
      }
      const expected = readCaseText('validate', name, `expected/stdout-${index + 1}.txt`);
      expect(report.split('\n')[0], `step ${index + 1} verdict`).toBe(expected.split('\n')[0]);
      expect(comparable(report), `step ${index + 1} report`).toBe(comparable(expected));
    }
    // Validating leaves the student's folder as it was: same files, same owners.
    expect(owners()).toEqual(ownersBefore);
  });
});
