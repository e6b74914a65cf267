/**
 * The students of a course as `nbgrader db student import` reads them: a CSV file whose header
 * names an `id` column and optionally `first_name`, `last_name`, `email` (other columns are left
 * alone, an empty value is none). On the hub the id is a user name, so it follows the hub's rule
 * (./../users/username.ts). The file is read whole and every problem is listed with its line
 * before anything is written: a bad file imports nobody.
 */
import { CoursehubError } from '../../util/errors.js';
import { decodeUtf8, parseCsvRows } from '../users/roster-csv.js';
import { normalizeUsername, usernameProblem, USERNAME_RULE } from '../users/username.js';

/** A students CSV that cannot be imported as it is; nothing of it was applied. */
export class StudentCsvError extends CoursehubError {}

export const STUDENT_CSV_COLUMNS = ['id', 'first_name', 'last_name', 'email'] as const;

export interface StudentCsvRow {
  /** The user name (the id, normalized). */
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** 1-based line in the file. */
  line: number;
}

const MAX_LISTED = 20;

function refusal(label: string, problems: string[]): StudentCsvError {
  const listed = problems.slice(0, MAX_LISTED).join('\n  ');
  const more = problems.length > MAX_LISTED ? `\n  ... and ${problems.length - MAX_LISTED} more` : '';
  return new StudentCsvError(`${label} was refused; nobody was imported:\n  ${listed}${more}`, {
    hint: `The first line names the columns (${STUDENT_CSV_COLUMNS.join(',')}; id is required); ids are user names: ${USERNAME_RULE}.`,
  });
}

/** The rows of a students CSV (UTF-8 bytes), or StudentCsvError listing every bad line. */
export function parseStudentsCsv(bytes: Buffer, label: string): StudentCsvRow[] {
  const refuse = (problems: string[]) => refusal(label, problems);
  const [header, ...body] = parseCsvRows(decodeUtf8(bytes, label, refuse), label, refuse);
  if (!header) throw refuse([`${label}: the file is empty`]);
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  const at = (name: string) => columns.indexOf(name);
  if (at('id') === -1)
    throw refuse([
      `${label}:${header.line}: the header has no 'id' column (Malformatted CSV file: must contain a column for 'id')`,
    ]);
  const problems: string[] = [];
  const rows: StudentCsvRow[] = [];
  const firstLine = new Map<string, number>();
  for (const { fields, line } of body) {
    const value = (name: string) => {
      const index = at(name);
      const text = index === -1 ? undefined : fields[index];
      return text === undefined || text === '' ? null : text;
    };
    const raw = value('id');
    if (raw === null) {
      problems.push(`${label}:${line}: the id is empty`);
      continue;
    }
    const id = normalizeUsername(raw);
    const problem = usernameProblem(id);
    if (problem) {
      problems.push(`${label}:${line}: invalid id: ${problem}`);
      continue;
    }
    const earlier = firstLine.get(id);
    if (earlier !== undefined) {
      problems.push(`${label}:${line}: duplicate id ${id} (first on line ${earlier})`);
      continue;
    }
    firstLine.set(id, line);
    rows.push({
      id,
      firstName: value('first_name'),
      lastName: value('last_name'),
      email: value('email'),
      line,
    });
  }
  if (problems.length > 0) throw refuse(problems);
  return rows;
}
