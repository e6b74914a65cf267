import { PostgresAdapter, type CreateTableBuilder, type Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Adds an auto-incrementing integer primary key named `id`. SQLite wants
 * `integer primary key autoincrement`, PostgreSQL `serial primary key`; migrations call this
 * instead of choosing, so they stay one code path.
 */
export function idColumn<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: Dialect,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/**
 * Which database a Kysely instance talks to (migrations receive only the instance). Asked of the
 * dialect adapter rather than by probing with a query: a failed probe inside a PostgreSQL
 * transaction (migrations run in one) would abort the whole transaction.
 */
export async function dialectOf(db: Kysely<unknown>): Promise<Dialect> {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export function nowIso(): string {
  return new Date().toISOString();
}
