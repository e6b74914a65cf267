/**
 * OAuth `state` values for redirect logins in flight. Each is random, expires after a few
 * minutes, is bound to the browser that started the login (the caller keeps it in a short-lived
 * cookie too and compares), and can be used once: take() deletes it, so a replayed callback fails.
 * In memory, since a login in flight does not need to survive a hub restart.
 */
import { randomBytes } from 'node:crypto';
import type { LoginStash } from './authenticator.js';

export interface PendingLogin {
  state: string;
  /** Where to go after login (already checked to be a safe local path). */
  next: string;
  stash: LoginStash;
  expiresAt: number;
}

export class LoginStates {
  private readonly pending = new Map<string, PendingLogin>();

  constructor(
    private readonly ttlMs = 10 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  newState(): string {
    return randomBytes(32).toString('base64url');
  }

  remember(state: string, next: string, stash: LoginStash): void {
    this.sweep();
    this.pending.set(state, { state, next, stash, expiresAt: this.now() + this.ttlMs });
  }

  /** The pending login for `state`, removed so it cannot be used again; null if unknown or expired. */
  take(state: string): PendingLogin | null {
    const found = this.pending.get(state);
    if (!found) return null;
    this.pending.delete(state);
    return found.expiresAt > this.now() ? found : null;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, value] of this.pending) if (value.expiresAt <= now) this.pending.delete(key);
  }
}
