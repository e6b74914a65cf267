/**
 * Imports instructors.csv and students.csv into the users table: instructors become admins,
 * students allowed users; names and emails are kept for the gradebook. Re-importing is
 * idempotent: it adds new users and updates names, and removes nobody unless `prune` is set, in
 * which case users that came from a roster file given here and are no longer in it are removed
 * (users created by hand are never touched). Both files are read and checked before anything is
 * written, and the writes happen in one transaction: a bad file changes nothing.
 */
import type { Kysely } from 'kysely';
import * as usersRepo from '../../db/repositories/users.js';
import type { Database } from '../../db/schema.js';
import { readRosterFile, type RosterEntry } from './roster-csv.js';

export interface RosterFiles {
  instructors?: string;
  students?: string;
  prune?: boolean;
  /** Called for each user `prune` removed, after the import committed (see UserServiceOptions). */
  onUserRemoved?: (name: string) => Promise<unknown> | void;
}

export interface RosterImportReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

type Roster = 'instructors' | 'students';

export async function importRosters(db: Kysely<Database>, files: RosterFiles): Promise<RosterImportReport> {
  const instructors = files.instructors ? readRosterFile(files.instructors) : undefined;
  const students = files.students ? readRosterFile(files.students) : undefined;
  const report: RosterImportReport = { created: [], updated: [], unchanged: [], removed: [] };

  await db.transaction().execute(async (trx) => {
    const listed = new Set<string>();
    for (const entry of instructors ?? []) {
      listed.add(entry.name);
      await upsert(trx, entry, 'instructors', report);
    }
    for (const entry of students ?? []) {
      // Someone in both files is an instructor (an admin), listed once.
      if (listed.has(entry.name)) continue;
      listed.add(entry.name);
      await upsert(trx, entry, 'students', report);
    }
    if (files.prune) {
      const given = new Set<Roster>([
        ...(instructors ? (['instructors'] as const) : []),
        ...(students ? (['students'] as const) : []),
      ]);
      for (const user of await usersRepo.allUserRecords(trx)) {
        if (user.roster && given.has(user.roster as Roster) && !listed.has(user.name)) {
          await usersRepo.deleteUserRecord(trx, user.name);
          report.removed.push(user.name);
        }
      }
    }
  });
  for (const name of report.removed) await files.onUserRemoved?.(name);
  return report;
}

async function upsert(
  db: Kysely<Database>,
  entry: RosterEntry,
  roster: Roster,
  report: RosterImportReport,
): Promise<void> {
  const fields = { firstName: entry.firstName, lastName: entry.lastName, email: entry.email };
  const existing = await usersRepo.findUserByName(db, entry.name);
  if (!existing) {
    await usersRepo.insertUser(db, { name: entry.name, admin: roster === 'instructors', roster, ...fields });
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
  await usersRepo.updateUserRecord(db, entry.name, { ...fields, admin, roster });
  report.updated.push(entry.name);
}
