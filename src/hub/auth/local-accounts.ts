/**
 * Managing local passwords: set, change (by the user), reset (by an admin), and the first-run
 * admin. Every change ends all of the user's sessions, so a leaked or shared password stops
 * working everywhere at once.
 */
import type { LoginStore } from '../../db/stores/logins.js';
import type { UserStore } from '../../db/stores/users.js';
import { normalizeUserName } from './authenticator.js';
import { PasswordChangeError } from './errors.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { FailureRateLimiter } from './rate-limit.js';
import type { SessionStore } from './session-store.js';

export interface LocalAccountsOptions {
  minPasswordLength: number;
  /** Wrong current passwords on the change form before it locks (same rule as the login). */
  maxFailures?: number;
  windowMs?: number;
}

export class LocalAccounts {
  // Someone holding a stolen session must not be able to guess the current password on the
  // change form without limit and so take the account over for good.
  private readonly changeFailures: FailureRateLimiter;

  constructor(
    private readonly logins: LoginStore,
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
    private readonly options: LocalAccountsOptions,
  ) {
    this.changeFailures = new FailureRateLimiter({
      maxFailures: options.maxFailures ?? 5,
      windowMs: options.windowMs ?? 10 * 60 * 1000,
    });
  }

  private checkStrength(password: string): void {
    if (password.length < this.options.minPasswordLength)
      throw new PasswordChangeError(
        `The new password is too short: use at least ${this.options.minPasswordLength} characters.`,
      );
  }

  /** Stores a password for an existing user (insert or replace). */
  async setPassword(userName: string, password: string, mustChange = false): Promise<void> {
    const name = normalizeUserName(userName);
    await this.logins.savePassword({
      userName: name,
      passwordHash: await hashPassword(password),
      mustChange,
      updatedAt: new Date().toISOString(),
    });
  }

  async mustChange(userName: string): Promise<boolean> {
    return (await this.logins.findPassword(normalizeUserName(userName)))?.mustChange === true;
  }

  /** The user changes their own password; all their sessions end (the caller starts a new one). */
  async changePassword(userName: string, current: string, next: string, confirm: string): Promise<void> {
    const name = normalizeUserName(userName);
    const row = await this.logins.findPassword(name);
    if (!row)
      throw new PasswordChangeError('This account has no local password.', {
        hint: 'It logs in through another provider; change the password there.',
      });
    const lockedUntil = this.changeFailures.lockedUntil(name);
    if (lockedUntil)
      throw new PasswordChangeError(
        `Too many wrong current passwords. You can try again at ${lockedUntil.toISOString().slice(11, 16)} UTC (${lockedUntil.toISOString()}).`,
      );
    if (!(await verifyPassword(current, row.passwordHash))) {
      this.changeFailures.recordFailure(name);
      throw new PasswordChangeError('The current password is wrong. Nothing was changed.');
    }
    this.changeFailures.clear(name);
    if (next !== confirm)
      throw new PasswordChangeError('The two new passwords differ. Type the same password twice.');
    if (next === current)
      throw new PasswordChangeError('The new password is the same as the current one. Choose another.');
    this.checkStrength(next);
    await this.setPassword(name, next, false);
    await this.sessions.revokeAllForUser(name);
  }

  /**
   * An admin resets a user's password: returns a new random password to hand over once; the user
   * must change it at next login. All of the user's sessions end.
   */
  async resetPassword(userName: string): Promise<string> {
    const name = normalizeUserName(userName);
    if (!(await this.users.findByName(name)))
      throw new PasswordChangeError(`There is no user named "${name}".`, {
        hint: 'Add the user first (admin console or `coursehub users import`).',
      });
    const password = generatePassword();
    await this.setPassword(name, password, true);
    await this.sessions.revokeAllForUser(name);
    return password;
  }

  /**
   * First start: makes sure `adminUser` exists as an admin with a password. Returns the password
   * when it had to be generated (the caller prints it once), else null. Does nothing when that
   * account already has a password.
   */
  async bootstrapAdmin(adminUser: string, givenPassword: string | undefined): Promise<string | null> {
    const name = normalizeUserName(adminUser);
    if (await this.logins.findPassword(name)) return null;
    if (givenPassword !== undefined) this.checkStrength(givenPassword);
    const password = givenPassword ?? generatePassword();
    const user = await this.users.findByName(name);
    if (!user) await this.users.insert({ name, admin: true });
    else if (!user.admin) await this.users.update(name, { admin: true });
    await this.setPassword(name, password, false);
    return givenPassword === undefined ? password : null;
  }
}
