/**
 * Reads the seed's roster files, `instructors.csv` and `students.csv`:
 *
 *   id,first_name,last_name,email
 *   jdoe,Jane,Doe,jane@example.org
 *
 * Blank lines and lines starting with `#` are ignored; UTF-8 with or without a BOM; LF or CRLF.
 * `id` becomes the username (normalized, see ./username.ts). Any bad row refuses the whole file:
 * the RosterFileError lists each problem as FILE:LINE: reason, and nothing of the file is used.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { CoursehubError } from '../../util/errors.js';
import { normalizeUsername, usernameProblem, USERNAME_RULE } from './username.js';

export class RosterFileError extends CoursehubError {}

export const ROSTER_COLUMNS = ['id', 'first_name', 'last_name', 'email'] as const;

export interface RosterEntry {
  name: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** 1-based line of the file, for messages. */
  line: number;
}

/** At most this many problems are listed; a file with more is clearly the wrong file. */
const MAX_LISTED = 20;

export function readRosterFile(file: string): RosterEntry[] {
  return rosterFromRows(
    readCsvRows(file, (problems) => fileError(file, problems), 'roster file'),
    file,
  );
}

/** One row of a CSV file: its fields (trimmed) and the line it starts on, for messages. */
export interface CsvRow {
  fields: string[];
  line: number;
}

/**
 * Reads a CSV file as the roster files are read (and `nbgrader db student import` reads its file):
 * strict UTF-8 with or without a BOM, LF or CRLF, blank lines and lines starting with `#` skipped.
 * Anything it cannot read is a RosterFileError naming the file and the line.
 */
export function readCsvRows(
  file: string,
  refuse: Refusal = (problems) => csvFileError(file, problems),
  kind = 'CSV file',
): CsvRow[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new RosterFileError(`Cannot read the ${kind} ${file}: ${(error as Error).message}`, {
      hint: 'Check the path.',
      cause: error,
    });
  }
  return parseCsvRows(decodeUtf8(bytes, file, refuse), file, refuse);
}

/** The error for the problems found in a file ("FILE:LINE: what"). */
type Refusal = (problems: string[]) => Error;

function csvFileError(file: string, problems: string[]): RosterFileError {
  return new RosterFileError(
    `The CSV file ${file} was refused; nothing in it was applied:\n  ${problems.join('\n  ')}`,
    {
      hint: 'Fix the line and try again.',
    },
  );
}

/** Decodes strict UTF-8 (BOM dropped); invalid bytes are refused with their line number. */
export function decodeUtf8(
  bytes: Buffer,
  file: string,
  refuse: Refusal = (problems) => fileError(file, problems),
): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return decoder.decode(bytes);
  } catch {
    // Find the first line that does not decode, so the user knows where to look.
    let start = 0;
    let line = 1;
    while (start <= bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end));
      } catch {
        throw refuse([`${file}:${line}: not valid UTF-8 (save the file as UTF-8)`]);
      }
      start = end + 1;
      line++;
    }
    throw refuse([`${file}: not valid UTF-8 (save the file as UTF-8)`]);
  }
}

/**
 * The line where a quoted field opens that is never closed (csv-parse reports the line where it
 * gave up, the end of the file); undefined when every quote is closed.
 */
function unclosedQuoteLine(text: string): number | undefined {
  let line = 1;
  let openedOn: number | undefined;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (openedOn !== undefined) {
      if (c === '"' && text[i + 1] === '"') i++;
      else if (c === '"') openedOn = undefined;
      else if (c === '\n') line++;
      continue;
    }
    if (c === '"' && fieldStart) openedOn = line;
    if (c === '\n') line++;
    fieldStart = c === ',' || c === '\n' || (fieldStart && (c === ' ' || c === '\t' || c === '\r'));
  }
  return openedOn;
}

export function parseCsvRows(
  text: string,
  file: string,
  refuse: Refusal = (problems) => csvFileError(file, problems),
): CsvRow[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      comment: '#',
      comment_no_infix: true, // only whole lines starting with # are comments, not "#" inside a name
      skip_empty_lines: true,
      relax_column_count: true, // rows with missing columns are reported below, with their line
      trim: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      const line = unclosedQuoteLine(text);
      throw refuse([
        `${file}${line ? `:${line}` : ''}: the quote opened here is never closed (a name with a " must be written ""like this"")`,
      ]);
    }
    const lines = (error as { lines?: number }).lines;
    throw refuse([`${file}${lines ? `:${lines}` : ''}: ${(error as Error).message}`]);
  }
  return records
    .filter(({ record }) => !(record.length === 1 && record[0] === ''))
    .map(({ record, info }) => ({ fields: record, line: info.lines }));
}

export function parseRoster(text: string, file: string): RosterEntry[] {
  return rosterFromRows(
    parseCsvRows(text, file, (problems) => fileError(file, problems)),
    file,
  );
}

function rosterFromRows(rows: CsvRow[], file: string): RosterEntry[] {
  const [header, ...body] = rows;
  if (!header)
    throw fileError(file, [`${file}: the file is empty; it needs the header ${ROSTER_COLUMNS.join(',')}`]);
  const headerNames = header.fields.map((name) => name.toLowerCase());
  const missing = ROSTER_COLUMNS.filter((column) => !headerNames.includes(column));
  if (missing.length > 0) {
    throw fileError(file, [
      `${file}:${header.line}: the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${ROSTER_COLUMNS.join(',')})`,
    ]);
  }
  const index = Object.fromEntries(
    ROSTER_COLUMNS.map((column) => [column, headerNames.indexOf(column)]),
  ) as Record<(typeof ROSTER_COLUMNS)[number], number>;

  const problems: string[] = [];
  const entries: RosterEntry[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { fields: record, line } of body) {
    const at = `${file}:${line}`;
    const absent = ROSTER_COLUMNS.filter((column) => record[index[column]] === undefined);
    if (absent.length > 0) {
      problems.push(`${at}: missing column${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`);
      continue;
    }
    const rawId = record[index.id] ?? '';
    if (rawId === '') {
      problems.push(`${at}: missing id`);
      continue;
    }
    const name = normalizeUsername(rawId);
    const problem = usernameProblem(name);
    if (problem) {
      problems.push(`${at}: invalid username: ${problem}`);
      continue;
    }
    const earlier = firstLineOf.get(name);
    if (earlier !== undefined) {
      problems.push(`${at}: duplicate id ${name} (first on line ${earlier})`);
      continue;
    }
    firstLineOf.set(name, line);
    const field = (column: 'first_name' | 'last_name' | 'email') => record[index[column]] || null;
    entries.push({
      name,
      firstName: field('first_name'),
      lastName: field('last_name'),
      email: field('email'),
      line,
    });
  }
  if (problems.length > 0) throw fileError(file, problems);
  return entries;
}

function fileError(file: string, problems: string[]): RosterFileError {
  const listed = problems.slice(0, MAX_LISTED);
  const more = problems.length > MAX_LISTED ? `\n  ... and ${problems.length - MAX_LISTED} more` : '';
  return new RosterFileError(
    `The roster file ${file} was refused; nothing in it was applied:\n  ${listed.join('\n  ')}${more}`,
    {
      hint: `Fix the lines above and import again. The header is ${ROSTER_COLUMNS.join(',')}; ids are usernames: ${USERNAME_RULE}.`,
    },
  );
}
