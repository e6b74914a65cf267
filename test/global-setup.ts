// Runs once before all test files. Services that many test files share (PostgreSQL) are started
// here and described to the tests through `provide`; see test/support/.
import type { TestProject } from 'vitest/node';
import { startPostgres } from './support/postgres.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // COURSEHUB_TEST_POSTGRES_URL points the tests at a server you run yourself (a superuser URL).
  const external = process.env.COURSEHUB_TEST_POSTGRES_URL;
  if (external) {
    project.provide('postgresAdminUrl', external);
    return async () => {};
  }
  const postgres = await startPostgres();
  project.provide('postgresAdminUrl', postgres.adminUrl);
  return () => postgres.stop();
}
