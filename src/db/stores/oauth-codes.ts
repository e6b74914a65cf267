/**
 * The `oauth_codes` table (../tables/services.ts): authorization codes between the consent and
 * the token request. `take` deletes the row it returns, so a code is exchanged at most once even
 * when two requests race (only one delete finds the row).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface OauthCodeRecord {
  codeHash: string;
  clientId: string;
  userId: number;
  /** Read with the code by `take` (the user of that id now); ignored by `insert`. */
  userName?: string;
  scopes: string[];
  redirectUri: string;
  sessionId: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: string;
}

export class OauthCodeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(code: OauthCodeRecord): Promise<void> {
    await this.db
      .insertInto('oauth_codes')
      .values({
        code_hash: code.codeHash,
        client_id: code.clientId,
        user_id: code.userId,
        scopes: JSON.stringify(code.scopes),
        redirect_uri: code.redirectUri,
        session_id: code.sessionId,
        code_challenge: code.codeChallenge,
        code_challenge_method: code.codeChallengeMethod,
        expires_at: code.expiresAt,
      })
      .execute();
  }

  /**
   * Removes and returns the code with this hash (undefined if none: unknown or used already),
   * with the name of its user (undefined if the user is gone).
   */
  async take(codeHash: string): Promise<OauthCodeRecord | undefined> {
    const row = await this.db
      .deleteFrom('oauth_codes')
      .where('code_hash', '=', codeHash)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    const user = await this.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', row.user_id)
      .executeTakeFirst();
    return {
      userName: user?.name,
      codeHash: row.code_hash,
      clientId: row.client_id,
      userId: row.user_id,
      scopes: JSON.parse(row.scopes) as string[],
      redirectUri: row.redirect_uri,
      sessionId: row.session_id,
      codeChallenge: row.code_challenge,
      codeChallengeMethod: row.code_challenge_method,
      expiresAt: row.expires_at,
    };
  }

  /** Drops codes that expired unused. */
  async deleteExpired(now: string): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('expires_at', '<=', now).execute();
  }
}
