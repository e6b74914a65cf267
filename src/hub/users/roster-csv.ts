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
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new RosterFileError(`Cannot read the roster file ${file}: ${(error as Error).message}`, {
      hint: 'Check the path.',
      cause: error,
    });
  }
  return parseRoster(decodeUtf8(bytes, file), file);
}

/** Decodes strict UTF-8 (BOM dropped); invalid bytes are refused with their line number. */
export function decodeUtf8(bytes: Buffer, file: string): string {
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
        throw fileError(file, [`${file}:${line}: not valid UTF-8 (save the file as UTF-8)`]);
      }
      start = end + 1;
      line++;
    }
    throw fileError(file, [`${file}: not valid UTF-8 (save the file as UTF-8)`]);
  }
}

export function parseRoster(text: string, file: string): RosterEntry[] {
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
    const lines = (error as { lines?: number }).lines;
    throw fileError(file, [`${file}${lines ? `:${lines}` : ''}: ${(error as Error).message}`]);
  }
  const rows = records.filter(({ record }) => !(record.length === 1 && record[0] === ''));
  const header = rows.shift();
  if (!header)
    throw fileError(file, [`${file}: the file is empty; it needs the header ${ROSTER_COLUMNS.join(',')}`]);
  const headerNames = header.record.map((name) => name.toLowerCase());
  const missing = ROSTER_COLUMNS.filter((column) => !headerNames.includes(column));
  if (missing.length > 0) {
    throw fileError(file, [
      `${file}:${header.info.lines}: the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${ROSTER_COLUMNS.join(',')})`,
    ]);
  }
  const index = Object.fromEntries(
    ROSTER_COLUMNS.map((column) => [column, headerNames.indexOf(column)]),
  ) as Record<(typeof ROSTER_COLUMNS)[number], number>;

  const problems: string[] = [];
  const entries: RosterEntry[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of rows) {
    const line = info.lines;
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
