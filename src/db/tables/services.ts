/**
 * Tables of JupyterHub's services and of the hub's OAuth2 provider (migration 0310).
 * Conventions as in ./hub.ts: ISO-8601 text timestamps, integer ids.
 */
import type { Generated } from 'kysely';

/** A configured service. Written from the configuration at every start; never edited by hand. */
export interface ServicesTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 of the service's API token (as api_tokens.hash), or null for a service with none. */
  token_hash: string | null;
  created: string;
  last_activity: string | null;
}

/** An authorization code (src/hub/oauth/): only its SHA-256 is kept; deleted when exchanged. */
export interface OauthCodesTable {
  code_hash: string;
  client_id: string;
  /** users.id (on delete cascade): who approved. */
  user_id: number;
  /** JSON array of the scopes granted. */
  scopes: string;
  redirect_uri: string;
  /** The public id of the hub login the code was issued under (never the session's secret). */
  session_id: string | null;
  /** PKCE (RFC 7636), when the client sent a challenge. */
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: string;
}

export interface ServiceTables {
  services: ServicesTable;
  oauth_codes: OauthCodesTable;
}
