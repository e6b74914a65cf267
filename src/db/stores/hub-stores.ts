/**
 * The hub's stores, one per aggregate, over one database: users, groups, login state (sessions
 * and passwords), API tokens and user servers. Everything outside src/db/ reads and writes hub
 * data through these typed methods; no SQL leaves this folder.
 *
 * `transaction(fn)` runs `fn` with stores bound to one transaction: all of its writes happen, or
 * none. Inside a transaction, `transaction` simply runs `fn` in the same one.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import { GroupStore } from './groups.js';
import { LoginStore } from './logins.js';
import { OauthCodeStore } from './oauth-codes.js';
import { ServerStore } from './servers.js';
import { ServiceStore } from './services.js';
import { TokenStore } from './tokens.js';
import { UserStore } from './users.js';

export interface HubStores {
  users: UserStore;
  groups: GroupStore;
  logins: LoginStore;
  tokens: TokenStore;
  servers: ServerStore;
  services: ServiceStore;
  oauthCodes: OauthCodeStore;
  transaction<T>(work: (stores: HubStores) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query; rejects otherwise (health checks). */
  ping(): Promise<void>;
}

export function createHubStores(db: Kysely<Database>): HubStores {
  const inTransaction = db.isTransaction;
  const stores: HubStores = {
    users: new UserStore(db),
    groups: new GroupStore(db),
    logins: new LoginStore(db),
    tokens: new TokenStore(db),
    servers: new ServerStore(db),
    services: new ServiceStore(db),
    oauthCodes: new OauthCodeStore(db),
    transaction: (work) =>
      inTransaction
        ? work(stores)
        : db.transaction().execute((trx: Transaction<Database>) => work(createHubStores(trx))),
    async ping() {
      await sql`select 1`.execute(db);
    },
  };
  return stores;
}
