/**
 * Hub users and groups, as the rest of the hub sees them. The REST API, the admin console, the
 * CSV import and the authenticators all go through this service; removing a user goes through
 * ./user-removal.ts, which ends everything of theirs first.
 *
 * "Allowed" means: a row exists in the users table. Authenticators prove identity; only users
 * that an admin (or the roster import) created may then use the hub.
 */
import type { GroupRecord } from '../../db/stores/groups.js';
import type { HubStores } from '../../db/stores/hub-stores.js';
import type { ListUsersQuery, UserRecord, UserStore } from '../../db/stores/users.js';
import { nowIso } from '../../db/schema-helpers.js';
import {
  GroupExistsError,
  GroupNotFoundError,
  InvalidNameError,
  UserExistsError,
  UserNotFoundError,
} from './errors.js';
import type { AccountNameCheck } from './unix-account-names.js';
import { parseGroupName, parseUsername } from './username.js';

export interface HubUser extends UserRecord {
  groups: string[];
}

export type HubGroup = GroupRecord;

export interface NewUser {
  name: string;
  admin?: boolean;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

export type UserPatch = Partial<NewUser>;

export type ListUsersOptions = ListUsersQuery;

/** Hears of users just created (after their transaction committed). */
export type NewUsersListener = (users: HubUser[]) => Promise<void>;

export class UserService {
  constructor(
    private readonly stores: HubStores,
    /**
     * Names this hub cannot give a user (system accounts, accounts coursehub did not make: see
     * ./unix-account-names.ts); checked when a user is created or renamed. None when omitted.
     */
    private readonly accountCheck?: AccountNameCheck,
    /**
     * Told of users once they are created and committed (the seed's course enrolls an ordinary
     * user as its student); none when omitted.
     */
    private readonly onCreated?: NewUsersListener,
    /** Inside inTransaction: where created users wait for the commit before onCreated hears of them. */
    private readonly createdInTransaction?: HubUser[],
  ) {}

  async get(rawName: string): Promise<HubUser | undefined> {
    const record = await this.stores.users.findByName(normalize(rawName));
    if (!record) return undefined;
    return { ...record, groups: await this.stores.groups.namesOfUser(record.id) };
  }

  /** Like get, but a missing user is an error (UserNotFoundError). */
  async require(rawName: string): Promise<HubUser> {
    const user = await this.get(rawName);
    if (!user) throw notFound(rawName);
    return user;
  }

  /** Whether this (authenticated) name may use the hub: it must exist in the users table. */
  async isAllowed(rawName: string): Promise<boolean> {
    return (await this.stores.users.findByName(normalize(rawName))) !== undefined;
  }

  async list(options: ListUsersOptions = {}): Promise<{ users: HubUser[]; total: number }> {
    const query = { ...options, nameContains: options.nameContains?.trim().toLowerCase() };
    const { users, total } = await this.stores.users.list(query);
    const groups = await this.stores.groups.namesOfUsers(users.map((u) => u.id));
    return { users: users.map((u) => ({ ...u, groups: groups.get(u.id) ?? [] })), total };
  }

  async count(): Promise<number> {
    return this.stores.users.count();
  }

  async create(input: NewUser): Promise<HubUser> {
    const name = await this.usableName(input.name);
    if (await this.stores.users.findByName(name)) {
      throw new UserExistsError(`User ${name} already exists.`, {
        hint: 'Pick another name, or update that user.',
      });
    }
    const record = await this.stores.users.insert({ ...input, name });
    const user = { ...record, groups: [] };
    if (this.createdInTransaction) this.createdInTransaction.push(user);
    else await this.onCreated?.([user]);
    return user;
  }

  /** Changes fields; `name` renames the user (validated like a new name). */
  async update(rawName: string, patch: UserPatch): Promise<HubUser> {
    const current = await this.require(rawName);
    const newName =
      patch.name === undefined || parseUsername(patch.name) === current.name
        ? undefined
        : await this.usableName(patch.name);
    if (newName !== undefined && newName !== current.name && (await this.stores.users.findByName(newName))) {
      throw new UserExistsError(`Cannot rename ${current.name} to ${newName}: that user already exists.`, {
        hint: 'Pick another name.',
      });
    }
    await this.stores.users.update(current.name, { ...patch, name: newName });
    return this.require(newName ?? current.name);
  }

  async setAdmin(rawName: string, admin: boolean): Promise<HubUser> {
    return this.update(rawName, { admin });
  }

  /** Records activity (login, API call, server traffic) now or at `when` (ISO-8601). */
  async touch(rawName: string, when: string = nowIso()): Promise<void> {
    await this.stores.users.update(normalize(rawName), { lastActivity: when });
  }

  /**
   * Several changes as one: `work` gets a UserService whose writes all happen or none do (e.g.
   * adding a list of users, where one bad name must add nobody).
   */
  async inTransaction<T>(work: (users: UserService) => Promise<T>): Promise<T> {
    const created: HubUser[] = [];
    const result = await this.stores.transaction((stores) =>
      work(new UserService(stores, this.accountCheck, undefined, created)),
    );
    if (created.length > 0) await this.onCreated?.(created);
    return result;
  }

  /** The name a new user would get; throws what create would (InvalidNameError) — for dry runs. */
  async checkNewName(rawName: string): Promise<string> {
    return this.usableName(rawName);
  }

  /** A valid username (InvalidNameError otherwise) that this hub can give a user. */
  private async usableName(raw: string): Promise<string> {
    const name = parseUsername(raw);
    const problem = await this.accountCheck?.(name);
    if (problem)
      throw new InvalidNameError(`Invalid username: ${problem}.`, {
        hint: "A user's server runs as a Unix account of the same name: pick another name.",
      });
    return name;
  }

  async getGroup(rawName: string): Promise<HubGroup | undefined> {
    return this.stores.groups.findByName(rawName.trim());
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
    return this.stores.groups.list(options);
  }

  /** Creates a group, optionally with members (all of whom must exist). */
  async createGroup(rawName: string, members: string[] = []): Promise<HubGroup> {
    const name = parseGroupName(rawName);
    if (await this.stores.groups.findByName(name)) {
      throw new GroupExistsError(`Group ${name} already exists.`, { hint: 'Add members to it instead.' });
    }
    return this.stores.transaction(async (trx) => {
      const group = await trx.groups.insert(name);
      await trx.groups.addMembers(group.id, await userIds(trx.users, members));
      return (await trx.groups.findByName(name)) as HubGroup;
    });
  }

  async deleteGroup(rawName: string): Promise<void> {
    const group = await this.requireGroup(rawName);
    await this.stores.groups.delete(group.name);
  }

  /** Adds users (who must all exist; none is added otherwise) to a group. */
  async addGroupMembers(rawGroup: string, members: string[]): Promise<HubGroup> {
    const group = await this.requireGroup(rawGroup);
    await this.stores.groups.addMembers(group.id, await userIds(this.stores.users, members));
    return this.requireGroup(group.name);
  }

  async removeGroupMembers(rawGroup: string, members: string[]): Promise<HubGroup> {
    const group = await this.requireGroup(rawGroup);
    await this.stores.groups.removeMembers(group.id, await userIds(this.stores.users, members));
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

async function userIds(users: UserStore, names: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const raw of names) {
    const user = await users.findByName(normalize(raw));
    if (!user) throw notFound(raw);
    ids.push(user.id);
  }
  return ids;
}
