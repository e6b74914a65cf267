/**
 * Any password works: for demos and tests on one machine only. The factory refuses it unless the
 * hub listens on loopback, since on a reachable address it would let anyone in as any allowed user.
 */
import type { AuthenticatedUser, FormAuthenticator, FormLoginInput } from './authenticator.js';
import { normalizeUserName } from './authenticator.js';

export class DummyAuthenticator implements FormAuthenticator {
  readonly kind = 'form';
  readonly name = 'dummy';

  async authenticate(input: FormLoginInput): Promise<AuthenticatedUser | null> {
    const name = normalizeUserName(input.username);
    return name ? { name } : null;
  }
}
