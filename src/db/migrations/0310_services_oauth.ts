/**
 * JupyterHub's services and the hub as an OAuth2 provider (see ../tables/services.ts):
 * - `services`: one row per configured service, with the SHA-256 of its API token (the
 *   configuration is the source; the hub writes the rows at every start);
 * - `oauth_codes`: authorization codes waiting to be exchanged (single use, short-lived);
 * - `api_tokens.oauth_client_id` / `session_id`: a token issued to an OAuth client, and the hub
 *   login it was issued under (JupyterHub revokes those at logout).
 */
import type { Kysely, Migration } from 'kysely';
import { dialectOf, idColumn } from '../schema-helpers.js';

async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = await dialectOf(db);
  await idColumn(db.schema.createTable('services'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_activity', 'text')
    .execute();
  await db.schema
    .createTable('oauth_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('code_challenge', 'text')
    .addColumn('code_challenge_method', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('oauth_client_id', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('session_id', 'text').execute();
  await db.schema.createIndex('api_tokens_session').on('api_tokens').column('session_id').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('api_tokens_session').execute();
  await db.schema.alterTable('api_tokens').dropColumn('session_id').execute();
  await db.schema.alterTable('api_tokens').dropColumn('oauth_client_id').execute();
  await db.schema.dropTable('oauth_codes').execute();
  await db.schema.dropTable('services').execute();
}

export const servicesOauthMigration: Migration = { up, down };
