/**
 * Tables of the hub: users, groups, sessions, tokens, servers.
 * Conventions shared by every table (one code path for SQLite and PostgreSQL):
 * - timestamps are ISO-8601 UTC strings in `text` columns (both databases return them unchanged);
 * - booleans are `integer` 0/1 (SQLite has no boolean type; PostgreSQL would return true/false);
 * - ids are `integer` primary keys made with `idColumn()` from ../schema-helpers.ts.
 */
import type { Generated } from 'kysely';

/**
 * A hub user. Existing in this table is what makes a user "allowed" to log in: authenticators
 * prove who someone is, this table says whether that someone may use the hub.
 */
export interface UsersTable {
  id: Generated<number>;
  /** Normalized username (see src/hub/users/username.ts); also the Unix account name. */
  name: string;
  /** 0/1. Instructors imported from instructors.csv are admins. */
  admin: number;
  /** Kept for the gradebook (nbgrader's students have first/last name and email). */
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  /**
   * Which roster file last listed this user ('instructors' | 'students'), or null for users
   * created another way (API, admin console, first-run admin). `users import --prune` removes
   * only roster users, so it never deletes an account an admin made by hand.
   */
  roster: string | null;
  created: string;
  last_activity: string | null;
}

export interface GroupsTable {
  id: Generated<number>;
  name: string;
  created: string;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
}

/** A signed-in browser (src/hub/auth/session-store.ts); the cookie carries only the id. */
export interface SessionsTable {
  /** 32 random bytes, base64url. */
  id: string;
  user_name: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

/** scrypt hash of a local user's password (src/hub/auth/passwords.ts). */
export interface PasswordCredentialsTable {
  user_name: string;
  password_hash: string;
  /** 0/1: 1 after an admin reset, so the user must pick a new password at next login. */
  must_change: number;
  updated_at: string;
}

/**
 * An API token. Only its SHA-256 is kept (`hash`); `prefix` (its first characters) lets a user
 * recognise it in lists. `scopes` is a JSON array of scope strings (see src/hub/scopes.ts).
 */
export interface ApiTokensTable {
  id: Generated<number>;
  /** users.id (on delete cascade). */
  user_id: number;
  hash: string;
  prefix: string;
  note: string;
  scopes: string;
  /** 'api' (made by a user or admin) or 'server' (a user server's JUPYTERHUB_API_TOKEN). */
  kind: string;
  created: string;
  expires_at: string | null;
  last_activity: string | null;
  /** The OAuth client the token was issued to (src/hub/oauth/), or null. */
  oauth_client_id: string | null;
  /** The public id of the hub login an OAuth token was issued under, or null. */
  session_id: string | null;
}

/**
 * A user server that is running, starting ('spawn' in `pending`) or stopping ('stop'). The row
 * exists only while the server does: stopping deletes it. `state` is the spawner's JSON state
 * (pid, port, the server's token, ...); it holds a secret and is never sent to a browser.
 */
export interface ServersTable {
  id: Generated<number>;
  /** users.id (on delete cascade). */
  user_id: number;
  /** '' for the default server. */
  name: string;
  /** Spawner class that started it ('local', ...). */
  spawner: string;
  state: string;
  /** Public path prefix once ready, e.g. `/user/alice/`; null while starting. */
  url: string | null;
  /** 'spawn' | 'stop' | null (ready). */
  pending: string | null;
  started: string | null;
  last_activity: string | null;
}

export interface HubTables {
  sessions: SessionsTable;
  password_credentials: PasswordCredentialsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  servers: ServersTable;
  api_tokens: ApiTokensTable;
}
