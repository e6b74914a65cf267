/**
 * The one interface every way of logging in implements, as JupyterHub's Authenticator: it proves
 * who someone is and returns a normalized user name. Whether that user may use the hub is decided
 * elsewhere (./allowed-users.ts), the same way for every authenticator.
 *
 * Two shapes: a form login (local passwords, dummy) checks a user name and password; a redirect
 * login (GitHub, OIDC) sends the browser to a provider and finishes on its callback.
 */

export interface AuthenticatedUser {
  /** Normalized (lowercase) user name. */
  name: string;
}

export interface FormLoginInput {
  username: string;
  password: string;
  /** Client address, for per-IP rate limits. */
  ip: string;
}

export interface FormAuthenticator {
  readonly kind: 'form';
  readonly name: string;
  /**
   * The user, or null for wrong credentials (the page says so without telling which part was
   * wrong). Throws LoginLockedError when rate-limited.
   */
  authenticate(input: FormLoginInput): Promise<AuthenticatedUser | null>;
}

/** What a redirect login must remember between the redirect and the callback (server-side). */
export type LoginStash = Record<string, string>;

export interface RedirectAuthenticator {
  readonly kind: 'redirect';
  readonly name: string;
  /** Shown on the login button: "Sign in with {buttonLabel}". */
  readonly buttonLabel: string;
  /** The provider URL to send the browser to, and what the callback will need (PKCE verifier...). */
  startLogin(state: string): Promise<{ url: string; stash: LoginStash }>;
  /**
   * Exchanges the callback (the full URL the provider redirected to) for a user. The caller has
   * already checked `state`. Throws OAuthCallbackError with a message for the user.
   */
  finishLogin(callbackUrl: URL, state: string, stash: LoginStash): Promise<AuthenticatedUser>;
}

export type Authenticator = FormAuthenticator | RedirectAuthenticator;

/** User names are case-insensitive everywhere in the hub (they become Unix account names). */
export function normalizeUserName(name: string): string {
  return name.trim().toLowerCase();
}
