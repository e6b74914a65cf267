/**
 * Server-side sessions. The browser holds only a signed id (./session-cookie.ts); who it belongs
 * to, its CSRF token and its expiry live here, so logout, a password change or deleting a user
 * takes effect at once, everywhere. Listeners (the proxy) hear about every revocation.
 */
import { randomBytes } from 'node:crypto';
import type { LoginStore } from '../../db/stores/logins.js';
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
    private readonly store: LoginStore,
    private readonly options: SessionStoreOptions,
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 14 * DAY_MS;
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** A new session with a fresh id (never one the browser had before login). */
  async create(userName: string): Promise<CreatedSession> {
    const now = this.now();
    const session = {
      id: randomId(),
      userName,
      csrfToken: randomId(),
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.maxAgeMs).toISOString(),
    };
    await this.store.insertSession(session);
    return {
      sessionId: session.id,
      userName,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
      cookieValue: signSessionCookie(session.id, this.options.cookieSecret),
    };
  }

  /** The live session a cookie value names, or null (bad signature, revoked, expired). */
  async resolve(cookieValue: string | undefined | null): Promise<ResolvedSession | null> {
    const id = verifySessionCookie(cookieValue, this.options.cookieSecret);
    if (!id) return null;
    const row = await this.store.findSession(id);
    if (!row) return null;
    const now = this.now();
    if (row.expiresAt <= now.toISOString()) {
      await this.revoke(id);
      return null;
    }
    if (now.getTime() - Date.parse(row.lastSeenAt) >= this.touchIntervalMs)
      await this.store.touchSession(id, now.toISOString());
    return {
      sessionId: row.id,
      userName: row.userName,
      csrfToken: row.csrfToken,
      expiresAt: row.expiresAt,
    };
  }

  /** Ends one session (logout). Unknown ids are ignored: logging out twice is not an error. */
  async revoke(sessionId: string): Promise<void> {
    const userName = await this.store.deleteSession(sessionId);
    if (userName !== undefined) this.emit({ userName, sessionIds: [sessionId] });
  }

  /**
   * Ends every session of a user: after a password change or reset, and when the user is
   * removed (UserRemoval calls this before the row goes, so listeners learn the session ids).
   * Returns how many were ended.
   */
  async revokeAllForUser(userName: string): Promise<number> {
    const ids = await this.store.deleteSessionsOfUser(userName);
    if (ids.length > 0) this.emit({ userName, sessionIds: ids });
    return ids.length;
  }

  /** Removes expired rows (called now and then; resolve() already refuses them). */
  async purgeExpired(): Promise<number> {
    return this.store.deleteExpiredSessions(this.now().toISOString());
  }

  /** Sessions that have not expired (or been revoked), for the metrics. */
  async countActive(): Promise<number> {
    return this.store.countActiveSessions(this.now().toISOString());
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
