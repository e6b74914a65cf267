/**
 * The `services` table (../tables/services.ts): the configured services and the SHA-256 of each
 * one's API token. The hub writes the rows from its configuration at start (`replaceAll`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface ServiceRow {
  name: string;
  tokenHash: string | null;
}

export class ServiceStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes the table hold exactly these services: rows of services no longer configured go, a
   * changed token replaces the old one (which stops working), `created` of the others is kept.
   */
  async replaceAll(services: readonly ServiceRow[], now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const names = services.map((s) => s.name);
      let removal = trx.deleteFrom('services');
      if (names.length > 0) removal = removal.where('name', 'not in', names);
      await removal.execute();
      // Tokens first cleared, so that two services swapping tokens never meet the unique index.
      await trx.updateTable('services').set({ token_hash: null }).execute();
      for (const service of services) {
        const existing = await trx
          .selectFrom('services')
          .select('id')
          .where('name', '=', service.name)
          .executeTakeFirst();
        if (existing)
          await trx
            .updateTable('services')
            .set({ token_hash: service.tokenHash })
            .where('id', '=', existing.id)
            .execute();
        else
          await trx
            .insertInto('services')
            .values({ name: service.name, token_hash: service.tokenHash, created: now, last_activity: null })
            .execute();
      }
    });
  }

  /** The service whose token has this SHA-256, or undefined. */
  async findByTokenHash(hash: string): Promise<{ name: string; lastActivity: string | null } | undefined> {
    const row = await this.db
      .selectFrom('services')
      .select(['name', 'last_activity'])
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    return row && { name: row.name, lastActivity: row.last_activity };
  }

  async recordUse(name: string, at: string): Promise<void> {
    await this.db.updateTable('services').set({ last_activity: at }).where('name', '=', name).execute();
  }
}
