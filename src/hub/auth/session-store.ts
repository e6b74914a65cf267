/**
 * Server-side sessions. The browser holds only a signed id (./session-cookie.ts); who it belongs
 * to, its CSRF token and its expiry live here, so logout, a password change or deleting a user
 * takes effect at once, everywhere. Listeners (the proxy) hear about every revocation.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { signSessionCookie, verifySessionCookie } from './session-cookie.js';

export interface ResolvedSession {
  sessionId: string;
  userName: string;
  csrfToken: string;
  expiresAt: string;
}

export interface CreatedSession extends ResolvedSession {
  /** The value to put in the `coursehub-session` cookie. */
  cookieValue: string;
}

export interface RevokeEvent {
  userName: string;
  sessionIds: string[];
}

export type RevokeListener = (event: RevokeEvent) => void;

export interface SessionStoreOptions {
  cookieSecret: string;
  /** How long a session lives after login (JupyterHub's cookie_max_age_days is 14). */
  maxAgeMs?: number;
  /** last_seen_at is written at most this often, so every page view does not cost a write. */
  touchIntervalMs?: number;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** 32 random bytes, base64url: unguessable, and safe in a cookie without escaping. */
function randomId(): string {
  return randomBytes(32).toString('base64url');
}

export class SessionStore {
  private readonly listeners = new Set<RevokeListener>();
  private readonly maxAgeMs: number;
  private readonly touchIntervalMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: SessionStoreOptions,
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 14 * DAY_MS;
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** A new session with a fresh id (never one the browser had before login). */
  async create(userName: string): Promise<CreatedSession> {
    const now = this.now();
    const row = {
      id: randomId(),
      user_name: userName,
      csrf_token: randomId(),
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.maxAgeMs).toISOString(),
    };
    await this.db.insertInto('sessions').values(row).execute();
    return {
      sessionId: row.id,
      userName,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      cookieValue: signSessionCookie(row.id, this.options.cookieSecret),
    };
  }

  /** The live session a cookie value names, or null (bad signature, revoked, expired). */
  async resolve(cookieValue: string | undefined | null): Promise<ResolvedSession | null> {
    const id = verifySessionCookie(cookieValue, this.options.cookieSecret);
    if (!id) return null;
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const now = this.now();
    if (row.expires_at <= now.toISOString()) {
      await this.revoke(id);
      return null;
    }
    if (now.getTime() - Date.parse(row.last_seen_at) >= this.touchIntervalMs) {
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: now.toISOString() })
        .where('id', '=', id)
        .execute();
    }
    return {
      sessionId: row.id,
      userName: row.user_name,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
    };
  }

  /** Ends one session (logout). Unknown ids are ignored: logging out twice is not an error. */
  async revoke(sessionId: string): Promise<void> {
    const row = await this.db
      .deleteFrom('sessions')
      .where('id', '=', sessionId)
      .returning(['user_name'])
      .executeTakeFirst();
    if (row) this.emit({ userName: row.user_name, sessionIds: [sessionId] });
  }

  /**
   * Ends every session of a user: after a password change or reset, and when the user is
   * deleted (the users area calls this). Returns how many were ended.
   */
  async revokeAllForUser(userName: string): Promise<number> {
    const rows = await this.db
      .deleteFrom('sessions')
      .where('user_name', '=', userName)
      .returning(['id'])
      .execute();
    if (rows.length > 0) this.emit({ userName, sessionIds: rows.map((r) => r.id) });
    return rows.length;
  }

  /** Removes expired rows (called now and then; resolve() already refuses them). */
  async purgeExpired(): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('expires_at', '<=', this.now().toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Subscribe to revocations; returns the unsubscribe function. */
  onRevoke(listener: RevokeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: RevokeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not undo or block the revocation itself.
      }
    }
  }
}
