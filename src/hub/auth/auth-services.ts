/**
 * Everything login needs, built once by the composition root (src/app/services.ts) from the
 * config: the session store (createSessionStore; the rest of the hub revokes sessions through it
 * too), the chosen authenticator, local password management (local only) and redirect-login
 * states. `ensureFirstAdmin` is the start-up step that creates the first local admin; building
 * the services writes nothing.
 */
import type { CoursehubConfig } from '../../config/schema.js';
import type { LoginStore } from '../../db/stores/logins.js';
import type { UserStore } from '../../db/stores/users.js';
import { normalizeBaseUrl } from '../urls.js';
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
  /** How the session cookie is set: Secure behind https, its lifetime, and hub.baseUrl as its path. */
  cookie: { secure: boolean; maxAgeSeconds: number; path: string };
  /** Whom the not-allowed page names. */
  adminContact: string;
  /** The local authenticator's first admin (auth.local.adminUser), made by ensureFirstAdmin. */
  firstAdmin: { name: string; password: string | undefined } | null;
}

export interface CreateAuthOptions {
  env?: Record<string, string | undefined>;
  /** Where a generated first-run admin password is printed (stdout by default). */
  print?: (line: string) => void;
  now?: () => number;
}

function sessionMaxAgeMs(config: CoursehubConfig): number {
  return config.auth.sessionMaxAgeDays * 24 * 60 * 60 * 1000;
}

/** The browser sessions, signed with hub.cookieSecret (AuthConfigError when there is none). */
export function createSessionStore(config: CoursehubConfig, logins: LoginStore): SessionStore {
  const cookieSecret = config.hub.cookieSecret;
  if (!cookieSecret)
    throw new AuthConfigError('hub.cookieSecret is not set, so sessions cannot be signed.', {
      hint: 'Start the hub with `coursehub start`, which creates DATA_DIR/cookie_secret, or set hub.cookieSecret.',
    });
  return new SessionStore(logins, { cookieSecret, maxAgeMs: sessionMaxAgeMs(config) });
}

/** The login services over `sessions`; AuthConfigError when the auth section cannot work. */
export async function createAuthServices(
  config: CoursehubConfig,
  stores: { users: UserStore; logins: LoginStore },
  sessions: SessionStore,
  options: CreateAuthOptions = {},
): Promise<AuthServices> {
  const choice = resolveAuthChoice(config, options.env);
  const maxAgeMs = sessionMaxAgeMs(config);
  let localAccounts: LocalAccounts | null = null;
  let firstAdmin: AuthServices['firstAdmin'] = null;
  let authenticator: Authenticator;
  switch (choice.kind) {
    case 'local': {
      const local = config.auth.local;
      authenticator = new LocalAuthenticator(stores.logins, {
        maxFailures: local.maxFailures,
        windowMs: local.failureWindowMinutes * 60 * 1000,
        now: options.now,
      });
      localAccounts = new LocalAccounts(stores.logins, stores.users, sessions, {
        minPasswordLength: local.minPasswordLength,
        maxFailures: local.maxFailures,
        windowMs: local.failureWindowMinutes * 60 * 1000,
      });
      firstAdmin = { name: choice.adminUser, password: choice.adminPassword };
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
      // Over https (behind a TLS front, or served by the proxy itself) the cookie never goes over http.
      secure: (config.hub.publicUrl ?? '').startsWith('https:') || config.https.certFile !== undefined,
      maxAgeSeconds: Math.floor(maxAgeMs / 1000),
      path: normalizeBaseUrl(config.hub.baseUrl),
    },
    adminContact: config.auth.adminContact,
    firstAdmin,
  };
}

/**
 * At start, with local passwords: makes sure the first admin exists with a password. A generated
 * password is printed once (to stdout unless `print` says otherwise), with where to change it.
 */
export async function ensureFirstAdmin(
  auth: AuthServices,
  changePasswordUrl: string,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  if (!auth.localAccounts || !auth.firstAdmin) return;
  const { name, password } = auth.firstAdmin;
  const generated = await auth.localAccounts.bootstrapAdmin(name, password);
  if (generated) {
    print(`coursehub: created admin user "${name}" with password: ${generated}`);
    print(`coursehub: this password is shown only once; change it at ${changePasswordUrl}.`);
  }
}
