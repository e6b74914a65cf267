/**
 * The `servers` table: one row per server that is starting, running or stopping, and one per
 * named server that is stopped (JupyterHub keeps those until they are deleted: they count
 * against the named-server limit and the home page lists them). Rows are the memory that
 * survives a hub restart; the hub's ServerManager (src/hub/servers/) holds the live objects.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The spawner's JSON state as stored (src/hub/spawner/ reads and writes it). */
export type SpawnerState = Record<string, unknown>;

/** A row that neither runs nor is changing state: a named server kept while stopped. */
export function isStoppedRecord(record: Pick<ServerRecord, 'pending' | 'url'>): boolean {
  return record.pending === null && record.url === null;
}

export interface ServerRecord {
  id: number;
  userId: number;
  userName: string;
  name: string;
  spawner: string;
  state: SpawnerState;
  url: string | null;
  pending: 'spawn' | 'stop' | null;
  started: string | null;
  lastActivity: string | null;
}

function parseState(text: string): SpawnerState {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as SpawnerState) : {};
  } catch {
    return {};
  }
}

export class ServerStore {
  constructor(private readonly db: Kysely<Database>) {}

  private query() {
    return this.db
      .selectFrom('servers')
      .innerJoin('users', 'users.id', 'servers.user_id')
      .select([
        'servers.id as id',
        'servers.user_id as userId',
        'users.name as userName',
        'servers.name as name',
        'servers.spawner as spawner',
        'servers.state as state',
        'servers.url as url',
        'servers.pending as pending',
        'servers.started as started',
        'servers.last_activity as lastActivity',
      ]);
  }

  private static toRecord(row: {
    id: number;
    userId: number;
    userName: string;
    name: string;
    spawner: string;
    state: string;
    url: string | null;
    pending: string | null;
    started: string | null;
    lastActivity: string | null;
  }): ServerRecord {
    return {
      ...row,
      state: parseState(row.state),
      pending: row.pending === 'spawn' || row.pending === 'stop' ? row.pending : null,
    };
  }

  async userId(userName: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('name', '=', userName)
      .executeTakeFirst();
    return row?.id;
  }

  async get(userName: string, serverName: string): Promise<ServerRecord | undefined> {
    const row = await this.query()
      .where('users.name', '=', userName)
      .where('servers.name', '=', serverName)
      .executeTakeFirst();
    return row && ServerStore.toRecord(row);
  }

  async all(): Promise<ServerRecord[]> {
    return (await this.query().orderBy('servers.id').execute()).map(ServerStore.toRecord);
  }

  async forUser(userName: string): Promise<ServerRecord[]> {
    return (await this.query().where('users.name', '=', userName).execute()).map(ServerStore.toRecord);
  }

  /**
   * Marks a server as about to start: inserts its row, or takes over the row of a stopped named
   * server; false if a row that is not stopped exists (another start won).
   */
  async claim(userId: number, serverName: string, spawner: string): Promise<boolean> {
    try {
      await this.db
        .insertInto('servers')
        .values({ user_id: userId, name: serverName, spawner, state: '{}', pending: 'spawn' })
        .execute();
      return true;
    } catch (error) {
      if (!/unique|duplicate/i.test(String((error as Error).message))) throw error;
    }
    const taken = await this.db
      .updateTable('servers')
      .set({ spawner, state: '{}', pending: 'spawn', url: null, started: null })
      .where('user_id', '=', userId)
      .where('name', '=', serverName)
      .where('pending', 'is', null)
      .where('url', 'is', null)
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) === 1;
  }

  /** Keeps the row of a named server that stopped, as stopped: no state, address or start time. */
  async markStopped(userId: number, serverName: string): Promise<void> {
    await this.db
      .updateTable('servers')
      .set({ state: '{}', pending: null, url: null, started: null })
      .where('user_id', '=', userId)
      .where('name', '=', serverName)
      .execute();
  }

  async update(
    userId: number,
    serverName: string,
    fields: Partial<{
      state: SpawnerState;
      url: string | null;
      pending: 'spawn' | 'stop' | null;
      started: string | null;
      lastActivity: string | null;
    }>,
  ): Promise<void> {
    const values: Record<string, string | null> = {};
    if (fields.state !== undefined) values.state = JSON.stringify(fields.state);
    if (fields.url !== undefined) values.url = fields.url;
    if (fields.pending !== undefined) values.pending = fields.pending;
    if (fields.started !== undefined) values.started = fields.started;
    if (fields.lastActivity !== undefined) values.last_activity = fields.lastActivity;
    if (Object.keys(values).length === 0) return;
    await this.db
      .updateTable('servers')
      .set(values)
      .where('user_id', '=', userId)
      .where('name', '=', serverName)
      .execute();
  }

  /**
   * Moves the server's last activity to `when` (ISO-8601 UTC, as toISOString writes it) if that
   * is later: reports arrive late and out of order, and activity never goes back in time.
   * True if the row changed.
   */
  async moveActivityForward(userId: number, serverName: string, when: string): Promise<boolean> {
    const result = await this.db
      .updateTable('servers')
      .set({ last_activity: when })
      .where('user_id', '=', userId)
      .where('name', '=', serverName)
      .where((eb) => eb.or([eb('last_activity', 'is', null), eb('last_activity', '<', when)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async remove(userId: number, serverName: string): Promise<void> {
    await this.db
      .deleteFrom('servers')
      .where('user_id', '=', userId)
      .where('name', '=', serverName)
      .execute();
  }
}
