// The README links every guide and reference page, every relative link and picture of docs/
// exists, and the runnable-block extractor reads what the guides' test runs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runnableBlocks } from './support/runnable-blocks.js';

const REPO = new URL('../../', import.meta.url).pathname;
const PAGES = [
  'docs/guide-instructor.md',
  'docs/guide-student.md',
  'docs/guide-admin.md',
  'docs/reference/cli.md',
  'docs/reference/rest-api.md',
  'docs/configuration.md',
];

describe('docs/', () => {
  it('the README links every guide and reference page', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const page of PAGES) expect(readme).toContain(`](${page})`);
  });

  it('every relative link and picture of the guides points at a file that exists', () => {
    const guides = readdirSync(join(REPO, 'docs')).filter((f) => f.startsWith('guide-'));
    expect(guides.length).toBe(3);
    for (const guide of guides) {
      const text = readFileSync(join(REPO, 'docs', guide), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        expect(existsSync(join(REPO, 'docs', target!)), `${guide} -> ${target}`).toBe(true);
      }
    }
  });

  it('runnable blocks: in order, with who runs them, plain sh blocks left out', () => {
    const markdown = [
      '```sh runnable',
      'echo one',
      '```',
      '```sh',
      'echo not run',
      '```',
      'text',
      '```sh runnable token=prof_ada',
      'echo two',
      'echo three',
      '```',
      '```sh runnable as=stu_ben',
      'echo four',
      '```',
    ].join('\n');
    expect(runnableBlocks(markdown)).toEqual([
      { line: 1, runs: { kind: 'admin' }, script: 'echo one' },
      { line: 8, runs: { kind: 'token', user: 'prof_ada' }, script: 'echo two\necho three' },
      { line: 12, runs: { kind: 'as', user: 'stu_ben' }, script: 'echo four' },
    ]);
    expect(() => runnableBlocks('```sh runnable\necho never closed\n')).toThrow(/never closed/);
  });
});
