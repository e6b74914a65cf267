/**
 * The admin console at /hub/admin (under hub.baseUrl): users (paginated, filtered, sorted), add / delete / grant and
 * revoke admin, CSV roster import, groups and their members. Server-rendered; every form posts
 * with the session's CSRF token (checked by the login area's hook). Admins only.
 *
 * Actions answer with a redirect back to the console (so a reload does not repeat them) and a
 * flash named by a fixed code; failures re-render the console with the error and the input kept.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerFields, ServerFieldsProvider } from '../../hub/api/user-model.js';
import type { Identity } from '../../hub/identity.js';
import type { HubUrls } from '../../hub/urls.js';
import { LargePruneError, type RosterImport } from '../../hub/users/roster-import.js';
import type { UserRemoval } from '../../hub/users/user-removal.js';
import type { HubUser, UserService } from '../../hub/users/user-service.js';
import { CoursehubError } from '../../util/errors.js';
import type { SafeHtml } from '../layout.js';
import { requireAdmin } from './access.js';
import { adminPage, confirmPage, pruneConfirmPage, type UsersQuery } from './pages.js';

/** The "Server" cell of a user's row: state and start/stop buttons (the home area makes it). */
export type AdminServerCell = (user: HubUser, fields: ServerFields, csrfToken: string) => SafeHtml;

export interface AdminDeps {
  users: UserService;
  /** The one way to delete a user (server, tokens, sessions, proxy, row). */
  userRemoval: UserRemoval;
  rosters: RosterImport;
  serverFields: ServerFieldsProvider;
  serverCell: AdminServerCell;
  /** Local passwords are in use: offer "Reset password" (the login area's route). */
  localPasswords: boolean;
  urls: HubUrls;
}

const FLASH: Record<string, string> = {
  added: 'Added: ',
  deleted: 'Deleted user ',
  'admin-granted': 'Now an admin: ',
  'admin-revoked': 'No longer an admin: ',
  imported: 'Import done. ',
  'group-created': 'Created group ',
  'group-deleted': 'Deleted group ',
  'members-added': 'Added to the group: ',
  'members-removed': 'Removed from the group: ',
};

type Form = Record<string, unknown>;

function field(body: unknown, name: string): string {
  const value = (body as Form | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

function names(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}

/** The console's query (offset, limit) names a number out of range: a 400 page says which. */
class AdminQueryError extends CoursehubError {}

/**
 * The largest offset or limit in the console's links: PostgreSQL's `integer`. A larger number
 * would fail the database query; it is refused by name instead.
 */
const MAX_PAGE_NUMBER = 2_147_483_647;

const DEFAULT_QUERY: UsersQuery = { offset: 0, limit: 50, filter: '', sort: 'name', order: 'asc' };

function pageNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number <= MAX_PAGE_NUMBER))
    throw new AdminQueryError(
      `${name} must be a whole number from 0 to ${MAX_PAGE_NUMBER} (got "${value}").`,
      {
        hint: 'Use the links of the console to page through the users.',
      },
    );
  return number;
}

function usersQuery(request: FastifyRequest): UsersQuery {
  const q = request.query as Record<string, string | undefined>;
  const sort = q.sort === 'last_activity' ? 'last_activity' : 'name';
  const order =
    q.order === 'desc' ? 'desc' : q.order === 'asc' ? 'asc' : sort === 'last_activity' ? 'desc' : 'asc';
  return {
    offset: pageNumber(q.offset, 'offset', 0),
    limit: Math.min(Math.max(pageNumber(q.limit, 'limit', 50), 1), 500),
    filter: q.filter ?? '',
    sort,
    order,
  };
}

export async function registerAdmin(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const { users, urls, serverFields, serverCell: cell } = deps;
  const consolePath = urls.hub('admin');

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    identity: Identity,
    extra: { flash?: { kind: 'error' | 'info'; text: string }; addUsersInput?: string; status?: number } = {},
  ) {
    let query: UsersQuery;
    try {
      query = usersQuery(request);
    } catch (error) {
      if (!(error instanceof AdminQueryError)) throw error;
      query = DEFAULT_QUERY;
      extra = { ...extra, status: 400, flash: extra.flash ?? { kind: 'error', text: error.describe() } };
    }
    const csrfToken = request.session?.csrfToken ?? '';
    const { users: list, total } = await users.list({
      offset: query.offset,
      limit: query.limit,
      nameContains: query.filter || undefined,
      sort: query.sort,
      order: query.order,
    });
    const rows = await Promise.all(
      list.map(async (user) => ({ user, server: cell(user, await serverFields(user), csrfToken) })),
    );
    const { groups } = await users.listGroups();
    const q = request.query as Record<string, string | undefined>;
    // Own keys only: ?flash=constructor names no message (FLASH is an object).
    const flash =
      extra.flash ??
      (q.flash && Object.hasOwn(FLASH, q.flash)
        ? { kind: 'info' as const, text: `${FLASH[q.flash]}${q.subject ?? ''}` }
        : undefined);
    return reply
      .code(extra.status ?? 200)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        adminPage({
          urls,
          admin: identity.user,
          csrfToken,
          users: rows,
          total,
          query,
          groups,
          flash,
          addUsersInput: extra.addUsersInput,
          localPasswords: deps.localPasswords,
        }),
      );
  }

  /** Runs an action; a CoursehubError re-renders the console with its message (status 400). */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: string,
    action: (identity: Identity) => Promise<{ flash: string; subject: string } | 'answered'>,
    keep: { addUsersInput?: string } = {},
  ) {
    const identity = await requireAdmin(request, reply, urls, scope);
    if (!identity) return reply;
    try {
      const done = await action(identity);
      if (done === 'answered') return reply;
      const back = new URL(request.headers.referer ?? `http://x${consolePath}`, 'http://x');
      const target = back.pathname === consolePath ? `${back.pathname}${back.search}` : consolePath;
      const url = new URL(target, 'http://x');
      url.searchParams.set('flash', done.flash);
      url.searchParams.set('subject', done.subject);
      return reply.redirect(`${url.pathname}${url.search}`, 303);
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      request.log.info({ err: error.message }, 'admin console action refused');
      return render(request, reply, identity, {
        flash: { kind: 'error', text: error.describe() },
        status: 400,
        ...keep,
      });
    }
  }

  await app.register(async (admin) => {
    // Only here: the roster upload. Two small CSV files, kept in memory.
    await admin.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      // Field values hold the files again on the confirmation page (base64: 4/3 of 1 MiB each).
      limits: { fileSize: 1024 * 1024, files: 2, fields: 10, fieldSize: 2 * 1024 * 1024 },
    });

    admin.get(consolePath, async (request, reply) => {
      const identity = await requireAdmin(request, reply, urls);
      if (!identity) return reply;
      return render(request, reply, identity);
    });

    admin.post(urls.hub('admin/users/add'), async (request, reply) => {
      const input = field(request.body, 'usernames');
      return act(
        request,
        reply,
        'admin:users',
        async () => {
          const wanted = names(input);
          if (wanted.length === 0) throw new CoursehubError('Type at least one user name.');
          const admin = field(request.body, 'admin') === '1';
          const added: string[] = [];
          // All or nothing: check every name before creating any.
          await users.inTransaction(async (inTrx) => {
            for (const name of wanted) added.push((await inTrx.create({ name, admin })).name);
          });
          return { flash: 'added', subject: added.join(', ') };
        },
        { addUsersInput: input },
      );
    });

    admin.post(urls.hub('admin/users/admin'), async (request, reply) =>
      act(request, reply, 'admin:users', async (identity) => {
        const name = field(request.body, 'name');
        const grant = field(request.body, 'admin') === '1';
        if (!grant && name === identity.user.name)
          throw new CoursehubError('You cannot revoke your own admin rights here.', {
            hint: 'Ask another admin to do it, so the hub is never left without one by accident.',
          });
        const user = await users.setAdmin(name, grant);
        return { flash: grant ? 'admin-granted' : 'admin-revoked', subject: user.name };
      }),
    );

    admin.post(urls.hub('admin/users/delete'), async (request, reply) =>
      act(request, reply, 'admin:users', async (identity) => {
        const name = field(request.body, 'name');
        const user = await users.require(name);
        if (user.name === identity.user.name) throw new CoursehubError('You cannot delete yourself.');
        if (field(request.body, 'confirm') !== 'yes') {
          await reply.type('text/html; charset=utf-8').send(
            confirmPage({
              urls,
              admin: identity.user,
              csrfToken: request.session?.csrfToken ?? '',
              action: urls.hub('admin/users/delete'),
              fields: { name: user.name },
              question: `Delete user ${user.name}? Their sessions and API tokens end now.`,
            }),
          );
          return 'answered';
        }
        await deps.userRemoval.remove(user.name);
        request.log.info({ by: identity.user.name, user: user.name }, 'deleted user (admin console)');
        return { flash: 'deleted', subject: user.name };
      }),
    );

    admin.post(urls.hub('admin/import'), async (request, reply) =>
      act(request, reply, 'admin:users', async (identity) => {
        const body = request.body as Form;
        const confirmed = field(body, 'confirm') === 'yes';
        const dir = mkdtempSync(join(tmpdir(), 'coursehub-import-'));
        try {
          const files: { instructors?: string; students?: string } = {};
          const contents: { instructors?: Buffer; students?: Buffer } = {};
          for (const roster of ['instructors', 'students'] as const) {
            // An upload, or (from the confirmation page) the upload it showed, sent back as base64.
            const uploaded = body[roster];
            const returned = field(body, `${roster}_base64`);
            const content = Buffer.isBuffer(uploaded)
              ? uploaded
              : returned
                ? Buffer.from(returned, 'base64')
                : undefined;
            if (content && content.length > 0) {
              files[roster] = join(dir, `${roster}.csv`);
              contents[roster] = content;
              writeFileSync(files[roster], content);
            }
          }
          if (!files.instructors && !files.students)
            throw new CoursehubError('Choose instructors.csv, students.csv or both.');
          try {
            const report = await deps.rosters.importFiles({
              ...files,
              prune: field(body, 'prune') === '1',
              confirmLargePrune: confirmed,
            });
            const parts = [
              `${report.created.length} added`,
              `${report.updated.length} updated`,
              `${report.unchanged.length} unchanged`,
            ];
            if (report.removed.length > 0) parts.push(`removed: ${report.removed.join(', ')}`);
            return { flash: 'imported', subject: parts.join(', ') };
          } catch (error) {
            if (error instanceof LargePruneError) {
              await reply
                .type('text/html; charset=utf-8')
                .header('cache-control', 'no-store')
                .send(
                  pruneConfirmPage({
                    urls,
                    admin: identity.user,
                    csrfToken: request.session?.csrfToken ?? '',
                    removals: error.removals,
                    files: contents,
                  }),
                );
              return 'answered';
            }
            // The messages name the uploaded copy; show the plain file name instead.
            if (error instanceof CoursehubError)
              throw new CoursehubError(error.message.split(`${dir}/`).join(''), { hint: error.hint });
            throw error;
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    );

    admin.post(urls.hub('admin/groups/create'), async (request, reply) =>
      act(request, reply, 'admin:groups', async () => {
        const group = await users.createGroup(field(request.body, 'name'));
        return { flash: 'group-created', subject: group.name };
      }),
    );

    admin.post(urls.hub('admin/groups/delete'), async (request, reply) =>
      act(request, reply, 'admin:groups', async (identity) => {
        const group = await users.requireGroup(field(request.body, 'name'));
        if (field(request.body, 'confirm') !== 'yes') {
          await reply.type('text/html; charset=utf-8').send(
            confirmPage({
              urls,
              admin: identity.user,
              csrfToken: request.session?.csrfToken ?? '',
              action: urls.hub('admin/groups/delete'),
              fields: { name: group.name },
              question: `Delete group ${group.name}? Its members stay users of the hub.`,
            }),
          );
          return 'answered';
        }
        await users.deleteGroup(group.name);
        return { flash: 'group-deleted', subject: group.name };
      }),
    );

    admin.post(urls.hub('admin/groups/members'), async (request, reply) =>
      act(request, reply, 'admin:groups', async () => {
        const group = field(request.body, 'group');
        const members = names(field(request.body, 'users'));
        if (members.length === 0) throw new CoursehubError('Type at least one user name to add or remove.');
        if (field(request.body, 'action') === 'remove') {
          await users.removeGroupMembers(group, members);
          return { flash: 'members-removed', subject: `${members.join(', ')} (${group})` };
        }
        await users.addGroupMembers(group, members);
        return { flash: 'members-added', subject: `${members.join(', ')} (${group})` };
      }),
    );
  });
}
