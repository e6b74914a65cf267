import { CoursehubError } from '../../util/errors.js';

/** The auth configuration cannot work (missing secret, dummy on a public address, ...). */
export class AuthConfigError extends CoursehubError {}

/** A login attempt failed for a reason the user can act on (shown on the login page). */
export class LoginError extends CoursehubError {}

/** Too many failed logins; `retryAt` says when the next attempt will be accepted. */
export class LoginLockedError extends CoursehubError {
  constructor(readonly retryAt: Date) {
    super(
      `Too many failed logins. You can try again at ${retryAt.toISOString().slice(11, 16)} UTC (${retryAt.toISOString()}).`,
      { hint: 'If you forgot your password, ask an administrator to reset it.' },
    );
  }
}

/** A password change was refused (wrong current password, too short, ...). */
export class PasswordChangeError extends CoursehubError {}

/** An OAuth/OIDC redirect came back wrong (bad state, provider error, ...). */
export class OAuthCallbackError extends CoursehubError {}
