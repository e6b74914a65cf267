/**
 * Imports instructors.csv and students.csv into the users table: instructors become admins,
 * students allowed users; names and emails are kept for the gradebook. Re-importing is
 * idempotent: it adds new users and updates names, and removes nobody unless `prune` is set, in
 * which case users that came from a roster file given here and are no longer in it are removed
 * (users created by hand are never touched). Both files are read and checked before anything is
 * written, and the additions and changes happen in one transaction: a bad file changes nothing.
 * Pruned users are then removed one by one through UserRemoval (their servers stop, their tokens
 * and sessions end), which cannot run inside that transaction.
 */
import type { HubStores } from '../../db/stores/hub-stores.js';
import type { UserStore } from '../../db/stores/users.js';
import { readRosterFile, type RosterEntry } from './roster-csv.js';
import type { UserRemoval } from './user-removal.js';

export interface RosterFiles {
  instructors?: string;
  students?: string;
  prune?: boolean;
}

export interface RosterImportReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

type Roster = 'instructors' | 'students';

export class RosterImport {
  constructor(
    private readonly stores: HubStores,
    private readonly removal: UserRemoval,
  ) {}

  async importFiles(files: RosterFiles): Promise<RosterImportReport> {
    const instructors = files.instructors ? readRosterFile(files.instructors) : undefined;
    const students = files.students ? readRosterFile(files.students) : undefined;
    const report: RosterImportReport = { created: [], updated: [], unchanged: [], removed: [] };

    const leavers = await this.stores.transaction(async (trx) => {
      const listed = new Set<string>();
      for (const entry of instructors ?? []) {
        listed.add(entry.name);
        await upsert(trx.users, entry, 'instructors', report);
      }
      for (const entry of students ?? []) {
        // Someone in both files is an instructor (an admin), listed once.
        if (listed.has(entry.name)) continue;
        listed.add(entry.name);
        await upsert(trx.users, entry, 'students', report);
      }
      if (!files.prune) return [];
      const given = new Set<Roster>([
        ...(instructors ? (['instructors'] as const) : []),
        ...(students ? (['students'] as const) : []),
      ]);
      return (await trx.users.all())
        .filter((user) => user.roster && given.has(user.roster as Roster) && !listed.has(user.name))
        .map((user) => user.name);
    });
    for (const name of leavers) report.removed.push(await this.removal.remove(name));
    return report;
  }
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
