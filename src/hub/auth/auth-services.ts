/**
 * Everything login needs, built once at start from the config: the session store, the chosen
 * authenticator, local password management (local only) and redirect-login states. Other areas
 * reach it as `ctx.auth` (e.g. `ctx.auth.sessions.revokeAllForUser(name)` when deleting a user).
 */
import type { Kysely } from 'kysely';
import type { CoursehubConfig } from '../../config/schema.js';
import type { Database } from '../../db/schema.js';
import type { Authenticator } from './authenticator.js';
import { resolveAuthChoice } from './auth-config.js';
import { DummyAuthenticator } from './dummy-authenticator.js';
import { AuthConfigError } from './errors.js';
import { GitHubAuthenticator } from './github-authenticator.js';
import { LocalAccounts } from './local-accounts.js';
import { LocalAuthenticator } from './local-authenticator.js';
import { LoginStates } from './login-states.js';
import { OidcAuthenticator } from './oidc-authenticator.js';
import { SessionStore } from './session-store.js';

export interface AuthServices {
  sessions: SessionStore;
  authenticator: Authenticator;
  /** Present with the local authenticator only. */
  localAccounts: LocalAccounts | null;
  loginStates: LoginStates;
  cookie: { secure: boolean; maxAgeSeconds: number };
  /** Whom the not-allowed page names. */
  adminContact: string;
}

export interface CreateAuthOptions {
  env?: Record<string, string | undefined>;
  /** Where a generated first-run admin password is printed (stdout by default). */
  print?: (line: string) => void;
  now?: () => number;
}

export async function createAuthServices(
  config: CoursehubConfig,
  db: Kysely<Database>,
  options: CreateAuthOptions = {},
): Promise<AuthServices> {
  const cookieSecret = config.hub.cookieSecret;
  if (!cookieSecret)
    throw new AuthConfigError('hub.cookieSecret is not set, so sessions cannot be signed.', {
      hint: 'Start the hub with `coursehub start`, which creates DATA_DIR/cookie_secret, or set hub.cookieSecret.',
    });
  const choice = resolveAuthChoice(config, options.env);
  const maxAgeMs = config.auth.sessionMaxAgeDays * 24 * 60 * 60 * 1000;
  const sessions = new SessionStore(db, { cookieSecret, maxAgeMs });
  let localAccounts: LocalAccounts | null = null;
  let authenticator: Authenticator;
  switch (choice.kind) {
    case 'local': {
      const local = config.auth.local;
      authenticator = new LocalAuthenticator(db, {
        maxFailures: local.maxFailures,
        windowMs: local.failureWindowMinutes * 60 * 1000,
        now: options.now,
      });
      localAccounts = new LocalAccounts(db, sessions, {
        minPasswordLength: local.minPasswordLength,
        maxFailures: local.maxFailures,
        windowMs: local.failureWindowMinutes * 60 * 1000,
      });
      const generated = await localAccounts.bootstrapAdmin(choice.adminUser, choice.adminPassword);
      if (generated) {
        const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
        print(`coursehub: created admin user "${choice.adminUser}" with password: ${generated}`);
        print('coursehub: this password is shown only once; change it at /hub/change-password.');
      }
      break;
    }
    case 'dummy':
      authenticator = new DummyAuthenticator();
      break;
    case 'github':
      authenticator = new GitHubAuthenticator(choice.options);
      break;
    case 'oidc':
      authenticator = new OidcAuthenticator(choice.options);
      break;
  }
  return {
    sessions,
    authenticator,
    localAccounts,
    loginStates: new LoginStates(),
    cookie: {
      secure: (config.hub.publicUrl ?? '').startsWith('https:'),
      maxAgeSeconds: Math.floor(maxAgeMs / 1000),
    },
    adminContact: config.auth.adminContact,
  };
}
