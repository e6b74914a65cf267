/**
 * API tokens: create (shown once), list, look up, revoke, resolve a presented token.
 * See token-secret.ts for why only a SHA-256 is stored.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { ApiTokensTable } from '../../db/tables/hub.js';
import { expandScopes, parseScope, roleScopes, scopesBeyond } from '../scopes.js';
import { InvalidTokenError, TokenRequestError, TokenScopeError } from './errors.js';
import { hashToken, newTokenSecret, tokenPrefix } from './token-secret.js';

/**
 * `last_activity` is written at most this often per token. A script polling the API several times
 * a second would otherwise turn every read into a write (and SQLite has one writer at a time);
 * "last used" only needs minute precision to spot idle or forgotten tokens.
 */
export const DEFAULT_ACTIVITY_WRITE_INTERVAL_MS = 60_000;

export interface TokenOwner {
  id: number;
  name: string;
  admin: boolean;
}

export interface TokenRecord {
  id: number;
  owner: TokenOwner;
  prefix: string;
  note: string;
  /** The scopes as requested (may include `inherit`); intersect with the owner's to use them. */
  scopes: string[];
  kind: 'api' | 'server';
  created: string;
  expiresAt: string | null;
  lastActivity: string | null;
}

export interface CreateTokenOptions {
  /** Owner's name. */
  user: string;
  note?: string;
  /** Default `['inherit']`: everything the owner may do (as JupyterHub's default token role). */
  scopes?: string[];
  /** Seconds until the token stops working; undefined or 0 = never. */
  expiresInSeconds?: number;
  kind?: 'api' | 'server';
  /**
   * Scopes of whoever asks for the token (e.g. an admin making one for a student). The new token
   * may hold neither more than its owner nor more than its requester. Omitted = the owner asks.
   */
  requesterScopes?: Set<string>;
}

/** A token row (without its hash) joined with its owner. */
type Row = Omit<Selectable<ApiTokensTable>, 'hash'> & { user_name: string; user_admin: number };

export class TokenService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly activityWriteIntervalMs = DEFAULT_ACTIVITY_WRITE_INTERVAL_MS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Makes a token and returns its secret: the only time the secret exists outside the caller. */
  async create(options: CreateTokenOptions): Promise<{ token: string; record: TokenRecord }> {
    const owner = await this.owner(options.user);
    const scopes = [...new Set(options.scopes ?? ['inherit'])];
    for (const scope of scopes) {
      try {
        parseScope(scope);
      } catch (error) {
        throw new TokenRequestError((error as Error).message, { hint: (error as { hint?: string }).hint });
      }
    }
    for (const [who, held] of [
      [`user ${owner.name}`, roleScopes(owner)],
      ['you', options.requesterScopes],
    ] as const) {
      if (!held) continue;
      // Checked per requested scope so the message names what was asked for, not its expansion.
      const beyond = scopes.filter((s) => scopesBeyond(expandScopes([s], owner.name), held).length > 0);
      if (beyond.length > 0)
        throw new TokenScopeError(
          `Not assigning requested scopes ${beyond.sort().join(', ')}: ${who} does not hold them.`,
          { hint: 'Ask only for scopes the token owner (and you) already have.' },
        );
    }
    const expires = options.expiresInSeconds;
    if (expires !== undefined && (!Number.isFinite(expires) || expires < 0))
      throw new TokenRequestError(`expires_in must be a positive number of seconds, got ${expires}.`);
    const note = options.note ?? '';
    if (note.length > 1000) throw new TokenRequestError('The token note is longer than 1000 characters.');

    const token = newTokenSecret();
    const created = this.now().toISOString();
    const expiresAt = expires ? new Date(this.now().getTime() + expires * 1000).toISOString() : null;
    const kind = options.kind ?? 'api';
    const inserted = await this.db
      .insertInto('api_tokens')
      .values({
        user_id: owner.id,
        hash: hashToken(token),
        prefix: tokenPrefix(token),
        note,
        scopes: JSON.stringify(scopes),
        kind,
        created,
        expires_at: expiresAt,
        last_activity: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      token,
      record: {
        id: inserted.id,
        owner,
        prefix: tokenPrefix(token),
        note,
        scopes,
        kind,
        created,
        expiresAt,
        lastActivity: null,
      },
    };
  }

  /** The token's owner and record, or throws InvalidTokenError (unknown, revoked or expired). */
  async resolve(token: string): Promise<TokenRecord> {
    const row = await this.query().where('api_tokens.hash', '=', hashToken(token)).executeTakeFirst();
    if (!row)
      throw new InvalidTokenError('The API token is not valid: it is unknown or has been revoked.', {
        hint: 'Create a new token (coursehub token create NAME, or the REST API) and use that.',
      });
    const record = toRecord(row);
    const now = this.now();
    if (record.expiresAt && new Date(record.expiresAt) <= now)
      throw new InvalidTokenError(`The API token expired at ${record.expiresAt}.`, {
        hint: 'Create a new token and use that.',
      });
    await this.touch(record, now);
    return record;
  }

  async list(userName: string): Promise<TokenRecord[]> {
    const rows = await this.query().where('users.name', '=', userName).orderBy('api_tokens.id').execute();
    return rows.map(toRecord);
  }

  async get(userName: string, id: number): Promise<TokenRecord | undefined> {
    const row = await this.query()
      .where('users.name', '=', userName)
      .where('api_tokens.id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Deletes one of the user's tokens; false if there was none with that id. */
  async revoke(userName: string, id: number): Promise<boolean> {
    const owner = await this.db
      .selectFrom('users')
      .select('id')
      .where('name', '=', userName)
      .executeTakeFirst();
    if (!owner) return false;
    const result = await this.db
      .deleteFrom('api_tokens')
      .where('id', '=', id)
      .where('user_id', '=', owner.id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Revokes all of a user's tokens of one kind (e.g. a stopped server's) or of every kind. */
  async revokeAllForUser(userName: string, kind?: 'api' | 'server'): Promise<number> {
    const owner = await this.db
      .selectFrom('users')
      .select('id')
      .where('name', '=', userName)
      .executeTakeFirst();
    if (!owner) return 0;
    let query = this.db.deleteFrom('api_tokens').where('user_id', '=', owner.id);
    if (kind) query = query.where('kind', '=', kind);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async touch(record: TokenRecord, now: Date): Promise<void> {
    const last = record.lastActivity ? new Date(record.lastActivity).getTime() : 0;
    if (now.getTime() - last < this.activityWriteIntervalMs) return;
    record.lastActivity = now.toISOString();
    await this.db
      .updateTable('api_tokens')
      .set({ last_activity: record.lastActivity })
      .where('id', '=', record.id)
      .execute();
    // Using a token is activity of its owner too (the admin console sorts by it), as in JupyterHub.
    await this.db
      .updateTable('users')
      .set({ last_activity: record.lastActivity })
      .where('id', '=', record.owner.id)
      .where((eb) => eb.or([eb('last_activity', 'is', null), eb('last_activity', '<', record.lastActivity!)]))
      .execute();
  }

  private async owner(name: string): Promise<TokenOwner> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'admin'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row)
      throw new TokenRequestError(`No user named "${name}".`, {
        hint: 'Create the user first (coursehub users import, or the admin console).',
      });
    return { id: row.id, name: row.name, admin: Boolean(row.admin) };
  }

  private query() {
    return this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.prefix',
        'api_tokens.note',
        'api_tokens.scopes',
        'api_tokens.kind',
        'api_tokens.created',
        'api_tokens.expires_at',
        'api_tokens.last_activity',
        'users.id as user_id',
        'users.name as user_name',
        'users.admin as user_admin',
      ]);
  }
}

function toRecord(row: Row): TokenRecord {
  return {
    id: row.id,
    owner: { id: row.user_id, name: row.user_name, admin: Boolean(row.user_admin) },
    prefix: row.prefix,
    note: row.note,
    scopes: JSON.parse(row.scopes) as string[],
    kind: row.kind === 'server' ? 'server' : 'api',
    created: row.created,
    expiresAt: row.expires_at,
    lastActivity: row.last_activity,
  };
}
