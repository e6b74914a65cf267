/**
 * The facts of a feedback page that the conformance suite's README says to compare (byte
 * equality is no target: nbgrader's page embeds 120 kB of nbconvert CSS): the
 * `NOTEBOOK (Score: x / y)` title, the table of contents (each graded cell's `(Score: a / b)`,
 * each comment, the late-penalty line), and per graded cell its heading (label, grade id,
 * `Score: a / b`) and comment. One extractor for nbgrader 0.9.5's template, one for ours, both
 * into the same shape; `compareFeedbackFolders` adds which files are there, their modes and the
 * bytes of the copied files, and lists every difference.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findAllFiles } from '../../../src/course/index.js';

export interface CellFacts {
  gradeId: string;
  /** "Student's answer", "Student's task" or "Grade cell: ID". */
  label: string;
  /** "a / b", or null when the heading shows no score (an answer cell that is not graded). */
  score: string | null;
  comment: string | null;
}

export interface PageFacts {
  title: string;
  /** "Test cell -> ID (Score: a / b)", "Comment -> ID", "Late submission penalty (Score: -p)". */
  toc: string[];
  cells: CellFacts[];
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  nbsp: ' ',
  '#39': "'",
  '#34': '"',
};

/** Text content of an HTML fragment, whitespace collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|nbsp|#39|#34);/g, (_, name: string) => ENTITIES[name]!)
    .replace(/\s+/g, ' ')
    .trim();
}

const one = (html: string, pattern: RegExp, what: string): string => {
  const match = pattern.exec(html);
  if (!match) throw new Error(`no ${what} found`);
  return match[1]!;
};

function scoreIn(heading: string): string | null {
  const match = /Score: (-?[\d.e+]+) \/ (-?[\d.e+]+)/.exec(textOf(heading));
  return match ? `${match[1]} / ${match[2]}` : null;
}

function tocItem(item: string, targetPrefix: string): string {
  const link = /<a href="#([^"]*)">([^<]*)<\/a>(.*)/s.exec(item);
  if (!link) return textOf(item);
  const [, target, label, rest] = link;
  const id = label === 'Comment' ? target!.replace(/^comment-/, '') : target!.replace(targetPrefix, '');
  return `${label} -> ${id}${textOf(rest!) ? ` ${textOf(rest!)}` : ''}`;
}

/** The comment of a panel: the text after "Comments:" up to where the cell's outputs start. */
function commentIn(chunk: string, outputsStart: string): string | null {
  const at = chunk.indexOf('<b>Comments:</b>');
  if (at === -1) return null;
  const end = chunk.indexOf(outputsStart, at);
  return textOf(chunk.slice(at + '<b>Comments:</b>'.length, end === -1 ? undefined : end));
}

/** nbgrader 0.9.5's feedback template (nbconvert 6.5.3's classic HTML). */
export function nbgraderFacts(html: string): PageFacts {
  const toc = one(html, /<div id="toc">\s*<ol>([\s\S]*?)<\/ol>/, 'table of contents');
  const cells = html
    .split('<div class="panel panel-primary nbgrader_cell">')
    .slice(1)
    .map((chunk): CellFacts => {
      const panel = chunk.split(/<div class="cell border-box-sizing/)[0]!;
      const heading = one(panel, /<div class="panel-heading">([\s\S]*?)<\/div>/, 'panel heading');
      return {
        gradeId: one(panel, /<a name="(?:comment-)?([^"]+)"><\/a>/, 'cell anchor'),
        label: textOf(one(heading, /<span class="nbgrader-label">([\s\S]*?)<\/span>/, 'label')),
        score: scoreIn(heading),
        comment: commentIn(panel, '<div class="output_wrapper">'),
      };
    });
  return {
    title: textOf(one(html, /<h4>([\s\S]*?)<\/h4>/, 'title')),
    toc: [...toc.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => tocItem(m[1]!, '')),
    cells,
  };
}

/** coursehub's feedback page (src/render/feedback-page.ts). */
export function coursehubFacts(html: string): PageFacts {
  const toc = one(html, /<nav class="nb-toc"><ol>([\s\S]*?)<\/ol><\/nav>/, 'table of contents');
  const chunks = html
    .split(/(?=<div class="nb-cell )/)
    .filter((c) => c.includes('<div class="nb-grade-panel"'));
  const cells = chunks.map((chunk): CellFacts => {
    const heading = one(chunk, /<div class="nb-grade-heading">([\s\S]*?)<\/div>/, 'panel heading');
    return {
      gradeId: one(chunk, /id="(?:grade|comment)-([^"]+)"/, 'cell anchor'),
      label: textOf(one(heading, /<span class="nb-grade-label">([\s\S]*?)<\/span>/, 'label')),
      score: scoreIn(heading),
      comment: commentIn(chunk, '<div class="nb-outputs">'),
    };
  });
  return {
    title: textOf(one(html, /<h1 class="nb-feedback-title">([\s\S]*?)<\/h1>/, 'title')),
    toc: [...toc.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => tocItem(m[1]!, 'grade-')),
    cells,
  };
}

/** What differs between a fact and its expected value, as readable lines. */
function differences(where: string, expected: unknown, actual: unknown): string[] {
  const e = JSON.stringify(expected);
  const a = JSON.stringify(actual);
  return e === a ? [] : [`${where}: expected ${e}, got ${a}`];
}

/**
 * Every difference between nbgrader's feedback folder and ours: the files present, their modes
 * (`expectedModes`: relative path -> "0o644", from case.json), the bytes of the copied files, and
 * the facts of each page. An empty list means they agree.
 */
export function compareFeedbackFolders(
  expectedDir: string,
  actualDir: string,
  expectedModes: Record<string, string>,
): Promise<string[]> {
  return (async () => {
    const found: string[] = [];
    const expectedFiles = await findAllFiles(expectedDir, []);
    const actualFiles = await findAllFiles(actualDir, []);
    found.push(...differences('files', expectedFiles, actualFiles));
    for (const file of actualFiles) {
      const mode = `0o${(statSync(join(actualDir, file)).mode & 0o777).toString(8)}`;
      found.push(...differences(`mode of ${file}`, expectedModes[file] ?? '(not expected)', mode));
    }
    for (const file of expectedFiles.filter((f) => actualFiles.includes(f))) {
      const expected = readFileSync(join(expectedDir, file));
      const actual = readFileSync(join(actualDir, file));
      if (!file.endsWith('.html')) {
        if (!expected.equals(actual)) found.push(`${file}: copied bytes differ`);
        continue;
      }
      const want = nbgraderFacts(expected.toString('utf8'));
      const got = coursehubFacts(actual.toString('utf8'));
      found.push(...differences(`${file} title`, want.title, got.title));
      found.push(...differences(`${file} table of contents`, want.toc, got.toc));
      found.push(...differences(`${file} graded cells`, want.cells.length, got.cells.length));
      want.cells.forEach((cell, i) =>
        found.push(...differences(`${file} cell ${cell.gradeId}`, cell, got.cells[i])),
      );
    }
    return found;
  })();
}
