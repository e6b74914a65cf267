// Runs once before all test files. Services that many test files share (PostgreSQL) are started
// here and described to the tests through `provide`; see test/support/.
export default async function setup(): Promise<void | (() => Promise<void>)> {}
