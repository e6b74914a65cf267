import { CoursehubError } from '../../util/errors.js';

/** A presented token is unknown, expired or revoked. Always answered with 403, as JupyterHub. */
export class InvalidTokenError extends CoursehubError {}

/** A token was requested with scopes its owner (or the requester) does not hold. Answered 403. */
export class TokenScopeError extends CoursehubError {}

/** Bad arguments for a new token (expiry, note, unknown scope). Answered 400. */
export class TokenRequestError extends CoursehubError {}
