/**
 * What the server life cycle needs from other areas, as small interfaces: the proxy's route
 * client (the proxy area's ProxyClient fits) and the servers' API tokens (the token area's
 * createServerToken fits, see ./server-tokens.ts). Tests and benchmarks hand in the real ones.
 */

/** A route to a user's server, as the proxy's client takes it. */
export interface UserServerRoute {
  user: string;
  serverName?: string;
  /** Where the server listens, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The server's own token, which the proxy adds on the way in. */
  serverToken?: string;
}

/** A route as the proxy lists it (the fields the hub reads). */
export interface RouteDescription {
  target: string;
  last_activity?: string;
  [key: string]: unknown;
}

/** The proxy, as far as servers need it (the proxy area's ProxyClient fits). */
export interface ServerRoutes {
  addUserServer(route: UserServerRoute): Promise<void>;
  deleteUserServer(user: string, serverName?: string): Promise<void>;
  /** Routes with their last activity (keyed `/user/NAME`), for the culler; optional. */
  getRoutes?(): Promise<Record<string, RouteDescription>>;
}

/** The servers' own JUPYTERHUB_API_TOKENs (the token area's createServerToken fits). */
export interface ServerTokens {
  issue(userName: string, serverName: string): Promise<string>;
  /** Revokes the tokens of that one server. */
  revoke(userName: string, serverName: string): Promise<void>;
}
