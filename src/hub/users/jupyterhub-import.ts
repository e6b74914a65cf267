/**
 * Moving a class's logins in from JupyterHub: `coursehub users import-jupyterhub SOURCE` (a
 * jupyterhub.sqlite or a postgresql:// URL). Users come with their admin flag, groups with their
 * members, all in one transaction (a failure adds nobody). A name this hub cannot give a user (not
 * a valid Unix account name, or a system account's) is skipped and said why. Admin flags are
 * granted, never taken: a coursehub admin stays one. API tokens cannot move (JupyterHub keeps only
 * salted hashes), so the report lists whose tokens must be made again. A second run changes
 * nothing.
 */
import { readJupyterhubDatabase, type JupyterhubToken } from '../../db/jupyterhub/read-hub-database.js';
import { CoursehubError } from '../../util/errors.js';
import { parseGroupName } from './username.js';
import type { UserService } from './user-service.js';

export interface JupyterhubImportReport {
  revision: string | null;
  created: string[];
  existing: string[];
  /** Users (new or existing) made admins because they were JupyterHub admins. */
  madeAdmin: string[];
  groupsCreated: string[];
  /** Group -> members added. */
  membersAdded: Record<string, string[]>;
  skipped: { name: string; reason: string }[];
  /** Tokens that cannot move, by user: they must make them again. */
  tokensToRemake: Record<string, JupyterhubToken[]>;
  /** Service and OAuth tokens, which the services' config and the next login make again. */
  otherTokens: number;
}

export class JupyterhubImport {
  constructor(private readonly users: UserService) {}

  async run(source: string, options: { dryRun?: boolean } = {}): Promise<JupyterhubImportReport> {
    const hub = await readJupyterhubDatabase(source);
    const report: JupyterhubImportReport = {
      revision: hub.revision,
      created: [],
      existing: [],
      madeAdmin: [],
      groupsCreated: [],
      membersAdded: {},
      skipped: [],
      tokensToRemake: {},
      otherTokens: hub.otherTokens,
    };
    for (const token of hub.tokens) (report.tokensToRemake[token.user] ??= []).push(token);

    const work = async (users: UserService) => {
      const imported = new Set<string>();
      for (const user of hub.users) {
        const existing = await users.get(user.name);
        if (existing) {
          report.existing.push(existing.name);
          imported.add(existing.name);
          if (user.admin && !existing.admin) {
            if (!options.dryRun) await users.setAdmin(existing.name, true);
            report.madeAdmin.push(existing.name);
          }
          continue;
        }
        try {
          if (options.dryRun) await users.checkNewName(user.name);
          else await users.create({ name: user.name, admin: user.admin });
        } catch (error) {
          if (!(error instanceof CoursehubError)) throw error;
          report.skipped.push({ name: user.name, reason: error.message });
          continue;
        }
        report.created.push(user.name);
        imported.add(user.name);
        if (user.admin) report.madeAdmin.push(user.name);
      }
      for (const group of hub.groups) {
        let name: string;
        try {
          name = parseGroupName(group.name);
        } catch (error) {
          report.skipped.push({ name: `group ${group.name}`, reason: (error as Error).message });
          continue;
        }
        const existing = await users.getGroup(name);
        if (!existing) {
          if (!options.dryRun) await users.createGroup(name);
          report.groupsCreated.push(name);
        }
        const present = new Set(existing?.users ?? []);
        const adding = group.members.filter((m) => imported.has(m) && !present.has(m));
        if (adding.length > 0) {
          if (!options.dryRun) await users.addGroupMembers(name, adding);
          report.membersAdded[name] = adding;
        }
      }
    };
    if (options.dryRun) await work(this.users);
    else await this.users.inTransaction(work);
    return report;
  }
}
