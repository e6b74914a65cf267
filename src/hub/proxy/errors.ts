/** Errors of the proxy and of the hub's client for it. */
import { CoursehubError } from '../../util/errors.js';

/** A request path the proxy refuses to route (`..`, encoded slashes, backslashes, ...). */
export class UnsafePathError extends CoursehubError {}

/** A route the proxy API refuses to add (bad target, owner that does not match the path). */
export class InvalidRouteError extends CoursehubError {}

/** The proxy API could not be reached or answered with an error. */
export class ProxyApiError extends CoursehubError {}

/** The proxy process could not be started or re-used. */
export class ProxyStartError extends CoursehubError {}
