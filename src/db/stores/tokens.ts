/**
 * The `api_tokens` table, each row read with its owner. Only a token's SHA-256 is stored (see
 * src/hub/tokens/token-secret.ts); the hub's TokenService makes, checks and revokes tokens, this
 * store only reads and writes rows.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

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
  kind: TokenKind;
  created: string;
  expiresAt: string | null;
  lastActivity: string | null;
  /** The OAuth client the token was issued to (kind 'oauth'), else null. */
  oauthClientId: string | null;
  /** The public id of the hub login an OAuth token was issued under, else null. */
  sessionId: string | null;
}

/** 'api' (made by a user or admin), 'server' (a server's JUPYTERHUB_API_TOKEN), 'oauth' (issued to an OAuth client). */
export type TokenKind = 'api' | 'server' | 'oauth';

export interface NewTokenRecord {
  ownerId: number;
  hash: string;
  prefix: string;
  note: string;
  scopes: string[];
  kind: TokenKind;
  created: string;
  expiresAt: string | null;
  oauthClientId?: string | null;
  sessionId?: string | null;
}

interface Row {
  id: number;
  prefix: string;
  note: string;
  scopes: string;
  kind: string;
  created: string;
  expires_at: string | null;
  last_activity: string | null;
  oauth_client_id: string | null;
  session_id: string | null;
  user_id: number;
  user_name: string;
  user_admin: number;
}

function toRecord(row: Row): TokenRecord {
  return {
    id: row.id,
    owner: { id: row.user_id, name: row.user_name, admin: Boolean(row.user_admin) },
    prefix: row.prefix,
    note: row.note,
    scopes: JSON.parse(row.scopes) as string[],
    kind: row.kind === 'server' || row.kind === 'oauth' ? row.kind : 'api',
    created: row.created,
    expiresAt: row.expires_at,
    lastActivity: row.last_activity,
    oauthClientId: row.oauth_client_id,
    sessionId: row.session_id,
  };
}

export class TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

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
        'api_tokens.oauth_client_id',
        'api_tokens.session_id',
        'users.id as user_id',
        'users.name as user_name',
        'users.admin as user_admin',
      ]);
  }

  /** Who may own a token: the user of that name, or undefined. */
  async owner(userName: string): Promise<TokenOwner | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'admin'])
      .where('name', '=', userName)
      .executeTakeFirst();
    return row && { id: row.id, name: row.name, admin: Boolean(row.admin) };
  }

  /** Inserts a token row; returns its id. */
  async insert(token: NewTokenRecord): Promise<number> {
    const inserted = await this.db
      .insertInto('api_tokens')
      .values({
        user_id: token.ownerId,
        hash: token.hash,
        prefix: token.prefix,
        note: token.note,
        scopes: JSON.stringify(token.scopes),
        kind: token.kind,
        created: token.created,
        expires_at: token.expiresAt,
        last_activity: null,
        oauth_client_id: token.oauthClientId ?? null,
        session_id: token.sessionId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = await this.query().where('api_tokens.hash', '=', hash).executeTakeFirst();
    return row && toRecord(row);
  }

  async listOfUser(userName: string): Promise<TokenRecord[]> {
    const rows = await this.query().where('users.name', '=', userName).orderBy('api_tokens.id').execute();
    return rows.map(toRecord);
  }

  async findOfUser(userName: string, id: number): Promise<TokenRecord | undefined> {
    const row = await this.query()
      .where('users.name', '=', userName)
      .where('api_tokens.id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Deletes one of the user's tokens; false if there was none with that id. */
  async deleteOfUser(userName: string, id: number): Promise<boolean> {
    const owner = await this.owner(userName);
    if (!owner) return false;
    const result = await this.db
      .deleteFrom('api_tokens')
      .where('id', '=', id)
      .where('user_id', '=', owner.id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Deletes all of a user's tokens of one kind, or of every kind; returns how many. */
  async deleteAllOfUser(userName: string, kind?: TokenKind): Promise<number> {
    const owner = await this.owner(userName);
    if (!owner) return 0;
    let query = this.db.deleteFrom('api_tokens').where('user_id', '=', owner.id);
    if (kind) query = query.where('kind', '=', kind);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes the OAuth tokens issued under these hub logins (logout); returns how many. */
  async deleteOfSessions(sessionIds: readonly string[]): Promise<number> {
    if (sessionIds.length === 0) return 0;
    const result = await this.db
      .deleteFrom('api_tokens')
      .where('session_id', 'in', sessionIds)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The scopes of every token this user holds from this OAuth client (consent already given). */
  async scopesGrantedTo(userId: number, oauthClientId: string): Promise<string[][]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select('scopes')
      .where('user_id', '=', userId)
      .where('oauth_client_id', '=', oauthClientId)
      .execute();
    return rows.map((row) => JSON.parse(row.scopes) as string[]);
  }

  /**
   * Records that a token was used at `at` (ISO-8601): on the token, and on its owner unless the
   * owner was active later (using a token is activity of its owner, as in JupyterHub).
   */
  async recordUse(token: TokenRecord, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_activity: at }).where('id', '=', token.id).execute();
    await this.db
      .updateTable('users')
      .set({ last_activity: at })
      .where('id', '=', token.owner.id)
      .where((eb) => eb.or([eb('last_activity', 'is', null), eb('last_activity', '<', at)]))
      .execute();
  }
}
