import type { Migration } from 'kysely';
import { usersAndGroups } from './0001_users_groups.js';
import { sessionsAndPasswords } from './0020_sessions_and_passwords.js';
import { apiTokensMigration } from './0030_api_tokens.js';
import { serversMigration } from './0040_servers.js';
import { gradebookMigration } from './0100_gradebook.js';
import { coursesExchangeMigration } from './0200_courses_exchange.js';
import { gradingMigration } from './0300_grading.js';

/**
 * Every migration, oldest first. Names sort in the order they must run (Kysely checks this).
 * Add a file `NNNN_what.ts` next to this one and list it here; never edit one that has shipped.
 */
export const migrations: Record<string, Migration> = {
  '0001_users_groups': usersAndGroups,
  '0020_sessions_and_passwords': sessionsAndPasswords,
  '0030_api_tokens': apiTokensMigration,
  '0040_servers': serversMigration,
  '0100_gradebook': gradebookMigration,
  '0200_courses_exchange': coursesExchangeMigration,
  '0300_grading': gradingMigration,
};
