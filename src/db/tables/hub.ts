/**
 * Tables of the hub: users, groups, sessions, tokens, servers.
 * Conventions shared by every table (one code path for SQLite and PostgreSQL):
 * - timestamps are ISO-8601 UTC strings in `text` columns (both databases return them unchanged);
 * - booleans are `integer` 0/1 (SQLite has no boolean type; PostgreSQL would return true/false);
 * - ids are `integer` primary keys made with `idColumn()` from ../schema-helpers.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HubTables {}
