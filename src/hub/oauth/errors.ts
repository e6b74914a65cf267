import { CoursehubError } from '../../util/errors.js';

/**
 * An authorize request that cannot be sent back to the client (unknown client, a redirect_uri
 * that is not the client's own): shown to the user on the hub's page, never redirected, so the
 * hub cannot be used as an open redirector (RFC 6749 4.1.2.1).
 */
export class OauthPageError extends CoursehubError {
  constructor(
    readonly status: number,
    message: string,
    options: { hint?: string } = {},
  ) {
    super(message, options);
  }
}

/**
 * An OAuth2 error answered in the protocol's own shape: `{error, error_description}` from the
 * token endpoint, or `?error=...&state=...` on the client's (verified) redirect_uri.
 */
export class OauthProtocolError extends CoursehubError {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    /** The client's verified redirect_uri and state, when the error goes back to it. */
    readonly back?: { redirectUri: string; state: string | undefined },
  ) {
    super(`${error}: ${description}`);
  }
}
