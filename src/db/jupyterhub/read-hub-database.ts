/**
 * Reads what can move out of a JupyterHub database (SQLite file or `postgresql://` URL): users
 * with their admin flag, groups with their members, and, since tokens are stored only as salted
 * hashes and cannot move, whose API tokens there were. Read-only: a SQLite file is opened
 * read-only; on PostgreSQL only SELECTs run, in a read-only transaction.
 *
 * The tables read (users, groups, user_group_map, api_tokens, and roles/user_role_map where
 * JupyterHub 2+ keeps the admin role) have kept these columns since JupyterHub 0.8; the alembic
 * revision is reported, not required. Learned from jupyterhub/orm.py and a database the real
 * JupyterHub 3.0 made (test/fixtures/jupyterhub/).
 */
import { existsSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { CoursehubError } from '../../util/errors.js';

export class JupyterhubDatabaseError extends CoursehubError {}

export interface JupyterhubUser {
  name: string;
  admin: boolean;
}

export interface JupyterhubGroup {
  name: string;
  members: string[];
}

/** An API token a user made (or was given in the config): it must be made again. */
export interface JupyterhubToken {
  user: string;
  note: string | null;
  created: string | null;
}

export interface JupyterhubDatabase {
  revision: string | null;
  users: JupyterhubUser[];
  groups: JupyterhubGroup[];
  tokens: JupyterhubToken[];
  /** Tokens of services (their config holds them) and OAuth tokens of servers (made at the next login). */
  otherTokens: number;
}

type Row = Record<string, unknown>;

interface Reader {
  tables(): Promise<Set<string>>;
  all(query: string): Promise<Row[]>;
  close(): Promise<void>;
}

const isPostgres = (source: string) => /^postgres(ql)?:\/\//.test(source);

function sqliteReader(source: string): Reader {
  const file = source.replace(/^sqlite:\/\//, '');
  if (!existsSync(file))
    throw new JupyterhubDatabaseError(`There is no JupyterHub database at ${file}.`, {
      hint: "Give the hub's jupyterhub.sqlite (JupyterHub.db_url), or its postgresql:// URL.",
    });
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true, timeout: 1000 });
  return {
    tables: async () =>
      new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[]).map((r) =>
          String(r.name),
        ),
      ),
    all: async (query) => db.prepare(query).all() as Row[],
    close: async () => void db.close(),
  };
}

async function postgresReader(url: string): Promise<Reader> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN READ ONLY');
  return {
    tables: async () =>
      new Set(
        (
          await client.query(
            'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()',
          )
        ).rows.map((r: Row) => String(r.table_name)),
      ),
    all: async (query) => (await client.query(query)).rows as Row[],
    close: async () => {
      await client.query('ROLLBACK').catch(() => undefined); // closing anyway
      await client.end();
    },
  };
}

const timeText = (value: unknown): string | null =>
  value === null || value === undefined ? null : value instanceof Date ? value.toISOString() : String(value);

export async function readJupyterhubDatabase(source: string): Promise<JupyterhubDatabase> {
  let reader: Reader | undefined;
  try {
    reader = isPostgres(source) ? await postgresReader(source) : sqliteReader(source);
    const tables = await reader.tables();
    for (const needed of ['users', 'groups', 'user_group_map'])
      if (!tables.has(needed))
        throw new JupyterhubDatabaseError(
          `${redacted(source)} has no ${needed} table: it is not a JupyterHub database.`,
          {
            hint: "Give the hub's database (JupyterHub.db_url in jupyterhub_config.py).",
          },
        );
    const revision = tables.has('alembic_version')
      ? ((await reader.all('SELECT version_num FROM alembic_version')).map((r) => String(r.version_num))[0] ??
        null)
      : null;
    const admins = new Set<number>();
    if (tables.has('roles') && tables.has('user_role_map'))
      for (const r of await reader.all(
        "SELECT m.user_id FROM user_role_map m JOIN roles r ON r.id = m.role_id WHERE r.name = 'admin'",
      ))
        admins.add(Number(r.user_id));
    const userRows = await reader.all('SELECT id, name, admin FROM users ORDER BY id');
    const names = new Map(userRows.map((u) => [Number(u.id), String(u.name)]));
    const users = userRows.map((u) => ({
      name: String(u.name),
      admin: u.admin === true || Number(u.admin) === 1 || admins.has(Number(u.id)),
    }));
    const members = await reader.all('SELECT user_id, group_id FROM user_group_map ORDER BY user_id');
    const groups = (await reader.all('SELECT id, name FROM groups ORDER BY id')).map((g) => ({
      name: String(g.name),
      members: members
        .filter((m) => Number(m.group_id) === Number(g.id))
        .map((m) => names.get(Number(m.user_id))!),
    }));
    const tokens: JupyterhubToken[] = [];
    let otherTokens = 0;
    if (tables.has('api_tokens')) {
      // SELECT *: the columns differ by version (client_id and expires_at came later).
      for (const t of await reader.all('SELECT * FROM api_tokens ORDER BY id')) {
        const expired =
          t.expires_at != null && new Date(`${timeText(t.expires_at)!.replace(' ', 'T')}Z`) < new Date();
        // A token a user made (or the config gave) has JupyterHub itself as client (or none, before 2.0).
        const madeByUser = t.user_id != null && (t.client_id == null || t.client_id === 'jupyterhub');
        if (expired) continue;
        if (madeByUser)
          tokens.push({
            user: names.get(Number(t.user_id)) ?? String(t.user_id),
            note: t.note == null ? null : String(t.note),
            created: timeText(t.created),
          });
        else otherTokens++;
      }
    }
    return { revision, users, groups, tokens, otherTokens };
  } catch (error) {
    if (error instanceof CoursehubError) throw error;
    throw new JupyterhubDatabaseError(`${redacted(source)} cannot be read: ${(error as Error).message}.`, {
      hint: 'Check the path or URL (and that the hub is stopped, for SQLite); nothing was imported.',
      cause: error,
    });
  } finally {
    await reader?.close();
  }
}

/** The source without a password, for messages. */
function redacted(source: string): string {
  return source.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
