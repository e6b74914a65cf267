/**
 * Imports instructors.csv and students.csv into the users table: instructors become admins,
 * students allowed users; names and emails are kept for the gradebook. Re-importing is
 * idempotent: it adds new users and updates names, and removes nobody unless `prune` is set, in
 * which case users that came from a roster file given here and are no longer in it are removed
 * (users created by hand are never touched).
 *
 * Everything is checked before anything is written, and a refusal changes nothing:
 * - each file (./roster-csv.ts: header, ids, duplicates within the file, encoding);
 * - nobody is in both files (an instructor or a student, not both: the import does not guess);
 * - no id is a name the hub cannot give a user (`accountCheck`: a system account, or an existing
 *   Unix account coursehub did not make, see ./unix-account-names.ts);
 * - a prune that would remove more than a tenth of a role (and so any prune that empties it, as a
 *   students.csv with only its header would) happens only when confirmed (`confirmLargePrune`:
 *   `users import --yes`, the admin console's confirmation page).
 * The additions and changes happen in one transaction. Pruned users are then removed one by one
 * through UserRemoval (their servers stop, their tokens and sessions end, the proxy is told),
 * which cannot run inside that transaction.
 */
import type { HubStores } from '../../db/stores/hub-stores.js';
import type { UserRecord, UserStore } from '../../db/stores/users.js';
import { CoursehubError } from '../../util/errors.js';
import { readRosterFile, type RosterEntry } from './roster-csv.js';
import { namesRefused, type AccountNameCheck } from './unix-account-names.js';
import type { UserRemoval } from './user-removal.js';

export interface RosterFiles {
  instructors?: string;
  students?: string;
  prune?: boolean;
  /** A prune that removes more than a tenth of a role goes ahead only with this set. */
  confirmLargePrune?: boolean;
}

export interface RosterImportReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

export type Roster = 'instructors' | 'students';

/** One person a roster file lists, with the file's role. */
export interface ImportedEntry {
  roster: Roster;
  entry: RosterEntry;
}

/** The roster files disagree with each other or with this machine; nothing was applied. */
export class RosterImportError extends CoursehubError {}

/** Whom a prune would remove of one role, out of how many that role has now. */
export interface PruneRemoval {
  roster: Roster;
  names: string[];
  of: number;
}

/** A prune that needs confirming; `removals` says whom it would remove. Nothing was changed. */
export class LargePruneError extends CoursehubError {
  constructor(readonly removals: PruneRemoval[]) {
    super(`The import would remove ${removals.map(describeRemoval).join(', and ')}; nothing was changed.`, {
      hint: 'If that is meant, confirm it: `coursehub users import ... --prune --yes`, or the confirmation page of the admin console. Otherwise check the file (a file with only its header lists nobody).',
    });
  }
}

function describeRemoval(removal: PruneRemoval): string {
  const { names, of, roster } = removal;
  const which = names.length === of ? 'which empties the role' : 'more than a tenth of them';
  return `${names.length} of ${of} ${roster} (${names.join(', ')}), ${which}`;
}

export class RosterImport {
  constructor(
    private readonly stores: HubStores,
    private readonly removal: UserRemoval,
    /** Names that cannot be users on this hub (system accounts, ...); none when omitted. */
    private readonly accountCheck?: AccountNameCheck,
    /**
     * Told of everyone the files list, once the import committed (the seed's course enrolls them:
     * instructors.csv as its instructors, students.csv as its students).
     */
    private readonly onImported?: (imported: ImportedEntry[]) => Promise<void>,
  ) {}

  async importFiles(files: RosterFiles): Promise<RosterImportReport> {
    const rosters: [Roster, string, RosterEntry[]][] = [];
    if (files.instructors)
      rosters.push(['instructors', files.instructors, readRosterFile(files.instructors)]);
    if (files.students) rosters.push(['students', files.students, readRosterFile(files.students)]);
    refuseBothFiles(rosters);
    if (this.accountCheck) await refuseAccountNames(this.accountCheck, rosters);
    const report: RosterImportReport = { created: [], updated: [], unchanged: [], removed: [] };

    const leavers = await this.stores.transaction(async (trx) => {
      const listed = new Set(rosters.flatMap(([, , entries]) => entries.map((entry) => entry.name)));
      const pruned = files.prune ? prunePlan(await trx.users.all(), rosters, listed) : [];
      const large = pruned.filter(({ names, of }) => names.length * 10 > of);
      if (large.length > 0 && !files.confirmLargePrune) throw new LargePruneError(large);
      for (const [roster, , entries] of rosters)
        for (const entry of entries) await upsert(trx.users, entry, roster, report);
      return pruned.flatMap(({ names }) => names);
    });
    for (const name of leavers) report.removed.push(await this.removal.remove(name));
    await this.onImported?.(
      rosters.flatMap(([roster, , entries]) => entries.map((entry) => ({ roster, entry }))),
    );
    return report;
  }
}

/** Someone in both files is refused: the import does not guess which role was meant. */
function refuseBothFiles(rosters: [Roster, string, RosterEntry[]][]): void {
  const [first, second] = rosters;
  if (!first || !second) return;
  const lineIn = new Map(first[2].map((entry) => [entry.name, entry.line]));
  const problems = second[2]
    .filter((entry) => lineIn.has(entry.name))
    .map(
      (entry) =>
        `${entry.name} is in both files: ${first[1]}:${lineIn.get(entry.name)} and ${second[1]}:${entry.line}`,
    );
  if (problems.length > 0)
    throw new RosterImportError(
      `The roster files were refused; nothing in them was applied:\n  ${problems.join('\n  ')}`,
      {
        hint: 'Each person is an instructor or a student: keep each id in one of the two files.',
      },
    );
}

async function refuseAccountNames(check: AccountNameCheck, rosters: [Roster, string, RosterEntry[]][]) {
  const all = rosters.flatMap(([, file, entries]) => entries.map((entry) => ({ file, entry })));
  const refused = await namesRefused(
    check,
    all.map(({ entry }) => entry.name),
  );
  const problems = all
    .filter(({ entry }) => refused.has(entry.name))
    .map(({ file, entry }) => `${file}:${entry.line}: ${refused.get(entry.name)}`);
  if (problems.length > 0)
    throw new RosterImportError(
      `The roster files were refused; nothing in them was applied:\n  ${problems.join('\n  ')}`,
      {
        hint: "Each id becomes a Unix account that runs the user's server: rename these users (e.g. add a prefix or suffix).",
      },
    );
}

/** Per role given, the roster users of that role not listed any more, and the role's size now. */
function prunePlan(
  users: UserRecord[],
  rosters: [Roster, string, RosterEntry[]][],
  listed: Set<string>,
): PruneRemoval[] {
  return rosters.flatMap(([roster]) => {
    const ofRole = users.filter((user) => user.roster === roster);
    const names = ofRole.filter((user) => !listed.has(user.name)).map((user) => user.name);
    return names.length > 0 ? [{ roster, names, of: ofRole.length }] : [];
  });
}

async function upsert(
  users: UserStore,
  entry: RosterEntry,
  roster: Roster,
  report: RosterImportReport,
): Promise<void> {
  const fields = { firstName: entry.firstName, lastName: entry.lastName, email: entry.email };
  const existing = await users.findByName(entry.name);
  if (!existing) {
    await users.insert({ name: entry.name, admin: roster === 'instructors', roster, ...fields });
    report.created.push(entry.name);
    return;
  }
  // Admin comes from instructors.csv; an instructor moved to students.csv loses it, but an
  // admin made by hand (roster null) keeps it when they also appear as a student.
  const admin = roster === 'instructors' ? true : existing.roster === 'instructors' ? false : existing.admin;
  const changed =
    existing.firstName !== fields.firstName ||
    existing.lastName !== fields.lastName ||
    existing.email !== fields.email ||
    existing.admin !== admin ||
    existing.roster !== roster;
  if (!changed) {
    report.unchanged.push(entry.name);
    return;
  }
  await users.update(entry.name, { ...fields, admin, roster });
  report.updated.push(entry.name);
}
