/**
 * Hub users and groups, as the rest of the hub sees them. The REST API, the admin console, the
 * CSV import and the authenticators all go through this service.
 *
 * "Allowed" means: a row exists in the users table. Authenticators prove identity; only users
 * that an admin (or the roster import) created may then use the hub.
 */
import type { Kysely } from 'kysely';
import * as groupsRepo from '../../db/repositories/groups.js';
import * as usersRepo from '../../db/repositories/users.js';
import type { ListUsersQuery, UserRecord } from '../../db/repositories/users.js';
import type { Database } from '../../db/schema.js';
import { nowIso } from '../../db/schema-helpers.js';
import { GroupExistsError, GroupNotFoundError, UserExistsError, UserNotFoundError } from './errors.js';
import { parseGroupName, parseUsername } from './username.js';

export interface HubUser extends UserRecord {
  groups: string[];
}

export type HubGroup = groupsRepo.GroupRecord;

export interface NewUser {
  name: string;
  admin?: boolean;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

export type UserPatch = Partial<NewUser>;

export type ListUsersOptions = ListUsersQuery;

export interface UserServiceOptions {
  /**
   * Called after a user is deleted. Their sessions, password and tokens go with the row (foreign
   * keys cascade); the hook lets the login area tell the proxy at once
   * (`name => ctx.auth.sessions.revokeAllForUser(name)`), not only when its cache expires.
   */
  onUserRemoved?: (name: string) => Promise<unknown> | void;
}

export class UserService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: UserServiceOptions = {},
  ) {}

  async get(rawName: string): Promise<HubUser | undefined> {
    const record = await usersRepo.findUserByName(this.db, normalize(rawName));
    if (!record) return undefined;
    return { ...record, groups: await groupsRepo.groupNamesOfUser(this.db, record.id) };
  }

  /** Like get, but a missing user is an error (UserNotFoundError). */
  async require(rawName: string): Promise<HubUser> {
    const user = await this.get(rawName);
    if (!user) throw notFound(rawName);
    return user;
  }

  /** Whether this (authenticated) name may use the hub: it must exist in the users table. */
  async isAllowed(rawName: string): Promise<boolean> {
    return (await usersRepo.findUserByName(this.db, normalize(rawName))) !== undefined;
  }

  async list(options: ListUsersOptions = {}): Promise<{ users: HubUser[]; total: number }> {
    const query = { ...options, nameContains: options.nameContains?.trim().toLowerCase() };
    const { users, total } = await usersRepo.listUserRecords(this.db, query);
    const groups = await groupsRepo.groupNamesOfUsers(
      this.db,
      users.map((u) => u.id),
    );
    return { users: users.map((u) => ({ ...u, groups: groups.get(u.id) ?? [] })), total };
  }

  async count(): Promise<number> {
    return usersRepo.countUsers(this.db);
  }

  async create(input: NewUser): Promise<HubUser> {
    const name = parseUsername(input.name);
    if (await usersRepo.findUserByName(this.db, name)) {
      throw new UserExistsError(`User ${name} already exists.`, {
        hint: 'Pick another name, or update that user.',
      });
    }
    const record = await usersRepo.insertUser(this.db, { ...input, name });
    return { ...record, groups: [] };
  }

  /** Changes fields; `name` renames the user (validated like a new name). */
  async update(rawName: string, patch: UserPatch): Promise<HubUser> {
    const current = await this.require(rawName);
    const newName = patch.name === undefined ? undefined : parseUsername(patch.name);
    if (
      newName !== undefined &&
      newName !== current.name &&
      (await usersRepo.findUserByName(this.db, newName))
    ) {
      throw new UserExistsError(`Cannot rename ${current.name} to ${newName}: that user already exists.`, {
        hint: 'Pick another name.',
      });
    }
    await usersRepo.updateUserRecord(this.db, current.name, { ...patch, name: newName });
    return this.require(newName ?? current.name);
  }

  async setAdmin(rawName: string, admin: boolean): Promise<HubUser> {
    return this.update(rawName, { admin });
  }

  /** Records activity (login, API call, server traffic) now or at `when` (ISO-8601). */
  async touch(rawName: string, when: string = nowIso()): Promise<void> {
    await usersRepo.updateUserRecord(this.db, normalize(rawName), { lastActivity: when });
  }

  async delete(rawName: string): Promise<void> {
    const name = normalize(rawName);
    if (!(await usersRepo.deleteUserRecord(this.db, name))) throw notFound(rawName);
    await this.options.onUserRemoved?.(name);
  }

  async getGroup(rawName: string): Promise<HubGroup | undefined> {
    return groupsRepo.findGroupByName(this.db, rawName.trim());
  }

  async requireGroup(rawName: string): Promise<HubGroup> {
    const group = await this.getGroup(rawName);
    if (!group) {
      throw new GroupNotFoundError(`No group named ${rawName.trim()}.`, {
        hint: 'Create it first, or check the name.',
      });
    }
    return group;
  }

  async listGroups(
    options: { offset?: number; limit?: number } = {},
  ): Promise<{ groups: HubGroup[]; total: number }> {
    return groupsRepo.listGroupRecords(this.db, options);
  }

  /** Creates a group, optionally with members (all of whom must exist). */
  async createGroup(rawName: string, members: string[] = []): Promise<HubGroup> {
    const name = parseGroupName(rawName);
    if (await groupsRepo.findGroupByName(this.db, name)) {
      throw new GroupExistsError(`Group ${name} already exists.`, { hint: 'Add members to it instead.' });
    }
    return this.db.transaction().execute(async (trx) => {
      const group = await groupsRepo.insertGroup(trx, name);
      await groupsRepo.addGroupMembers(trx, group.id, await userIds(trx, members));
      return (await groupsRepo.findGroupByName(trx, name)) as HubGroup;
    });
  }

  async deleteGroup(rawName: string): Promise<void> {
    const group = await this.requireGroup(rawName);
    await groupsRepo.deleteGroupRecord(this.db, group.name);
  }

  /** Adds users (who must all exist; none is added otherwise) to a group. */
  async addGroupMembers(rawGroup: string, members: string[]): Promise<HubGroup> {
    const group = await this.requireGroup(rawGroup);
    await groupsRepo.addGroupMembers(this.db, group.id, await userIds(this.db, members));
    return this.requireGroup(group.name);
  }

  async removeGroupMembers(rawGroup: string, members: string[]): Promise<HubGroup> {
    const group = await this.requireGroup(rawGroup);
    await groupsRepo.removeGroupMembers(this.db, group.id, await userIds(this.db, members));
    return this.requireGroup(group.name);
  }
}

function normalize(rawName: string): string {
  return rawName.trim().toLowerCase();
}

function notFound(rawName: string): UserNotFoundError {
  return new UserNotFoundError(`No user named ${normalize(rawName)}.`, {
    hint: 'Check the name, or create the user (admin console, REST API or `coursehub users import`).',
  });
}

async function userIds(db: Kysely<Database>, names: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const raw of names) {
    const user = await usersRepo.findUserByName(db, normalize(raw));
    if (!user) throw notFound(raw);
    ids.push(user.id);
  }
  return ids;
}
