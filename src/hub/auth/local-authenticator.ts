/**
 * Local accounts: user name + password checked against scrypt hashes in `password_credentials`,
 * with failure rate limits per user name and per client address.
 */
import type { LoginStore } from '../../db/stores/logins.js';
import type { AuthenticatedUser, FormAuthenticator, FormLoginInput } from './authenticator.js';
import { normalizeUserName } from './authenticator.js';
import { LoginLockedError } from './errors.js';
import { decoy, verifyPassword } from './passwords.js';
import { FailureRateLimiter } from './rate-limit.js';

export interface LocalAuthenticatorOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}

export class LocalAuthenticator implements FormAuthenticator {
  readonly kind = 'form';
  readonly name = 'local';
  private readonly limiter: FailureRateLimiter;

  constructor(
    private readonly logins: LoginStore,
    options: LocalAuthenticatorOptions,
  ) {
    this.limiter = new FailureRateLimiter(options);
  }

  async authenticate(input: FormLoginInput): Promise<AuthenticatedUser | null> {
    const name = normalizeUserName(input.username);
    const userKey = `user:${name}`;
    const ipKey = `ip:${input.ip}`;
    // Check both locks before looking at the password: a locked key learns nothing more.
    const locks = [this.limiter.lockedUntil(userKey), this.limiter.lockedUntil(ipKey)].filter(
      (d): d is Date => d !== null,
    );
    if (locks.length > 0) throw new LoginLockedError(new Date(Math.max(...locks.map((d) => d.getTime()))));

    const row = name ? await this.logins.findPassword(name) : undefined;
    // Unknown users cost the same scrypt as known ones, so timing does not reveal who exists.
    const ok = await verifyPassword(input.password, row?.passwordHash ?? (await decoy()));
    if (row && ok) {
      this.limiter.clear(userKey);
      return { name };
    }
    this.limiter.recordFailure(userKey);
    this.limiter.recordFailure(ipKey);
    return null;
  }
}
