// Runs once before all test files. Services that many test files share (PostgreSQL) are started
// here and described to the tests through `provide`; see test/support/.
import type { TestProject } from 'vitest/node';
import { egressTableExists, removeEgressTable } from './support/egress-table.js';
import { startPostgres } from './support/postgres.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const checkEgressTable = defaultEgressTableGuard();
  // COURSEHUB_TEST_POSTGRES_URL points the tests at a server you run yourself (a superuser URL).
  const external = process.env.COURSEHUB_TEST_POSTGRES_URL;
  if (external) {
    project.provide('postgresAdminUrl', external);
    return async () => checkEgressTable();
  }
  const postgres = await startPostgres();
  project.provide('postgresAdminUrl', postgres.adminUrl);
  return async () => {
    await postgres.stop();
    checkEgressTable();
  };
}

/**
 * A hub started by a test with the default egress table (`coursehub`) leaves it behind, covering
 * every coursehub account with that hub's dead API port: later tests' servers then cannot reach
 * their own hub, depending on the order the files ran in. Tests name tables of their own
 * (support/egress-table.ts); a run that made the default one anyway removes it and fails here.
 */
function defaultEgressTableGuard(): () => void {
  const existedBefore = egressTableExists('coursehub');
  return () => {
    if (existedBefore || !egressTableExists('coursehub')) return;
    removeEgressTable('coursehub');
    // vitest reports an error thrown here but still exits 0: the exit code is set as well.
    process.exitCode = 1;
    throw new Error(
      'A test started a hub with the default egress table "inet coursehub" and left it (removed now): give the hub a table of its own (test/support/egress-table.ts).',
    );
  };
}
