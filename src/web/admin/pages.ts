/** The admin console's HTML: the users table, the forms, the groups, the confirmation page. */
import type { HubUrls } from '../../hub/urls.js';
import type { HubGroup, HubUser } from '../../hub/users/user-service.js';
import { csrfField, html, page, type SafeHtml } from '../layout.js';

export interface UsersQuery {
  offset: number;
  limit: number;
  filter: string;
  sort: 'name' | 'last_activity';
  order: 'asc' | 'desc';
}

export interface AdminPageData {
  urls: HubUrls;
  admin: { name: string };
  csrfToken: string;
  users: { user: HubUser; server: SafeHtml }[];
  total: number;
  query: UsersQuery;
  groups: HubGroup[];
  flash?: { kind: 'error' | 'info'; text: string };
  /** Local passwords are in use: offer "Reset password" (the login area's route). */
  localPasswords: boolean;
  /** What the admin typed into "add users", kept when adding failed. */
  addUsersInput?: string;
}

export function adminUrl(urls: HubUrls, query: Partial<UsersQuery>): string {
  const params = new URLSearchParams();
  if (query.filter) params.set('filter', query.filter);
  if (query.sort && query.sort !== 'name') params.set('sort', query.sort);
  if (query.order) params.set('order', query.order);
  if (query.offset) params.set('offset', String(query.offset));
  if (query.limit && query.limit !== 50) params.set('limit', String(query.limit));
  const text = params.toString();
  return text ? `${urls.hub('admin')}?${text}` : urls.hub('admin');
}

function postButton(
  action: string,
  fields: Record<string, string>,
  label: string,
  csrf: string,
  cls = 'secondary',
): SafeHtml {
  return html`<form method="post" action="${action}" class="inline">
    ${csrfField(csrf)}${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}
    <button type="submit" class="${cls}">${label}</button>
  </form>`;
}

function usersTable(data: AdminPageData): SafeHtml {
  const { urls, query, csrfToken: csrf } = data;
  const sortLink = (sort: UsersQuery['sort'], label: string) => {
    // Clicking the current column flips its order; a new column starts newest-first for
    // activity (who was active lately) and A-Z for names.
    const order =
      query.sort === sort
        ? query.order === 'asc'
          ? 'desc'
          : 'asc'
        : sort === 'last_activity'
          ? 'desc'
          : 'asc';
    return html`<a id="sort-${sort}" href="${adminUrl(urls, { ...query, sort, order, offset: 0 })}">${label}</a>${
      query.sort === sort ? (query.order === 'asc' ? ' ▲' : ' ▼') : ''
    }`;
  };
  const rows = data.users.map(
    ({ user, server }) =>
      html`<tr data-user="${user.name}">
        <td class="name">${user.name}</td>
        <td class="admin">${user.admin ? 'admin' : ''}</td>
        <td class="groups">${user.groups.join(', ')}</td>
        <td class="last-activity">${user.lastActivity ?? 'never'}</td>
        <td class="server">${server}</td>
        <td class="actions">
          ${postButton(urls.hub('admin/users/admin'), { name: user.name, admin: user.admin ? '0' : '1' }, user.admin ? 'Revoke admin' : 'Make admin', csrf)}
          ${
            data.localPasswords
              ? postButton(
                  urls.hub(`admin/users/${encodeURIComponent(user.name)}/reset-password`),
                  {},
                  'Reset password',
                  csrf,
                )
              : ''
          }
          ${postButton(urls.hub('admin/users/delete'), { name: user.name }, 'Delete', csrf, 'danger')}
        </td>
      </tr>`,
  );
  const from = data.total === 0 ? 0 : query.offset + 1;
  const to = Math.min(query.offset + query.limit, data.total);
  const prev =
    query.offset > 0 ? adminUrl(urls, { ...query, offset: Math.max(0, query.offset - query.limit) }) : null;
  const next = to < data.total ? adminUrl(urls, { ...query, offset: query.offset + query.limit }) : null;
  return html`<section class="card" id="users">
    <h2>Users</h2>
    <form method="get" action="${urls.hub('admin')}" class="filter">
      <label for="filter">Filter by name</label>
      <input id="filter" name="filter" type="text" value="${query.filter}" />
      <input type="hidden" name="sort" value="${query.sort}" />
      <input type="hidden" name="order" value="${query.order}" />
      <button type="submit" class="secondary">Filter</button>
    </form>
    <table>
      <thead>
        <tr>
          <th>${sortLink('name', 'Name')}</th>
          <th>Admin</th>
          <th>Groups</th>
          <th>${sortLink('last_activity', 'Last activity')}</th>
          <th>Server</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <p class="muted" id="page-info">${from}–${to} of ${data.total}</p>
    <nav class="pager">
      ${prev ? html`<a id="prev-page" href="${prev}">← Previous</a>` : ''}
      ${next ? html`<a id="next-page" href="${next}">Next →</a>` : ''}
    </nav>
  </section>`;
}

function addUsersForm(data: AdminPageData): SafeHtml {
  return html`<section class="card" id="add-users">
    <h2>Add users</h2>
    <form method="post" action="${data.urls.hub('admin/users/add')}">
      ${csrfField(data.csrfToken)}
      <label for="usernames">User names (one per line, or separated by spaces or commas)</label>
      <textarea id="usernames" name="usernames" rows="3">${data.addUsersInput ?? ''}</textarea>
      <label><input type="checkbox" name="admin" value="1" /> Make them admins</label>
      <button type="submit">Add users</button>
    </form>
  </section>`;
}

function importForm(data: AdminPageData): SafeHtml {
  return html`<section class="card" id="import">
    <h2>Import instructors.csv and students.csv</h2>
    <p class="muted">
      Columns id,first_name,last_name,email. Instructors become admins. A bad row refuses its whole file.
    </p>
    <form method="post" action="${data.urls.hub('admin/import')}" enctype="multipart/form-data">
      ${csrfField(data.csrfToken)}
      <label for="instructors">instructors.csv</label
      ><input id="instructors" name="instructors" type="file" accept=".csv,text/csv" />
      <label for="students">students.csv</label
      ><input id="students" name="students" type="file" accept=".csv,text/csv" />
      <label
        ><input type="checkbox" name="prune" value="1" /> Remove roster users missing from these files</label
      >
      <button type="submit">Import</button>
    </form>
  </section>`;
}

function groupsSection(data: AdminPageData): SafeHtml {
  const { urls, csrfToken: csrf } = data;
  const groups = data.groups.map(
    (g) =>
      html`<tr data-group="${g.name}">
        <td class="name">${g.name}</td>
        <td class="members">
          ${g.users.map((u) => html`<span class="member" data-member="${u}">${u} ${postButton(urls.hub('admin/groups/members'), { group: g.name, users: u, action: 'remove' }, '×', csrf)}</span> `)}
        </td>
        <td>
          <form method="post" action="${urls.hub('admin/groups/members')}" class="inline">
            ${csrfField(csrf)}<input type="hidden" name="group" value="${g.name}" /><input
              type="hidden"
              name="action"
              value="add"
            />
            <input type="text" name="users" placeholder="user names" aria-label="Add members to ${g.name}" />
            <button type="submit" class="secondary">Add</button>
          </form>
          ${postButton(urls.hub('admin/groups/delete'), { name: g.name }, 'Delete group', csrf, 'danger')}
        </td>
      </tr>`,
  );
  return html`<section class="card" id="groups">
    <h2>Groups</h2>
    <table>
      <tbody>
        ${groups}
      </tbody>
    </table>
    <form method="post" action="${urls.hub('admin/groups/create')}">
      ${csrfField(csrf)}
      <label for="group-name">New group</label><input id="group-name" name="name" type="text" />
      <button type="submit">Create group</button>
    </form>
  </section>`;
}

export function adminPage(data: AdminPageData): string {
  return page({
    urls: data.urls,
    title: 'Admin',
    user: { name: data.admin.name, admin: true },
    csrfToken: data.csrfToken,
    flash: data.flash,
    body: html`<h1>Admin</h1>
      ${usersTable(data)}${addUsersForm(data)}${importForm(data)}${groupsSection(data)}`,
  });
}

/** "Are you sure?" before deleting: a page of its own, so it works without JavaScript. */
export function confirmPage(options: {
  urls: HubUrls;
  admin: { name: string };
  csrfToken: string;
  action: string;
  fields: Record<string, string>;
  question: string;
}): string {
  return page({
    urls: options.urls,
    title: 'Confirm',
    user: { name: options.admin.name, admin: true },
    csrfToken: options.csrfToken,
    body: html`<div class="card narrow">
      <h1>Are you sure?</h1>
      <p id="question">${options.question}</p>
      <form method="post" action="${options.action}">
        ${csrfField(options.csrfToken)}
        ${Object.entries(options.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger" id="confirm">Yes, delete</button>
        <a class="button secondary" href="${options.urls.hub('admin')}">Cancel</a>
      </form>
    </div>`,
  });
}

/**
 * "Remove these users?" before a roster import whose prune would remove more than a tenth of a
 * role. The uploaded files come back in hidden fields (base64), so confirming imports exactly
 * what was checked, without choosing the files again.
 */
export function pruneConfirmPage(options: {
  urls: HubUrls;
  admin: { name: string };
  csrfToken: string;
  removals: { roster: string; names: string[]; of: number }[];
  files: { instructors?: Buffer; students?: Buffer };
}): string {
  const { urls, removals, files } = options;
  return page({
    urls,
    title: 'Confirm removal',
    user: { name: options.admin.name, admin: true },
    csrfToken: options.csrfToken,
    body: html`<div class="card narrow">
      <h1>Remove these users?</h1>
      ${removals.map(
        (r) =>
          html`<p class="prune-removal" data-roster="${r.roster}">
              The import removes ${r.names.length} of ${r.of} ${r.roster}${r.names.length === r.of ? ' (all of them)' : ''}:
            </p>
            <ul>
              ${r.names.map((name) => html`<li data-removed="${name}">${name}</li>`)}
            </ul>`,
      )}
      <p class="muted">Their servers stop and their sessions and API tokens end. Nothing has changed yet.</p>
      <form method="post" action="${urls.hub('admin/import')}" enctype="multipart/form-data">
        ${csrfField(options.csrfToken)}
        ${(['instructors', 'students'] as const).map((roster) => {
          const content = files[roster];
          return content
            ? html`<input type="hidden" name="${roster}_base64" value="${content.toString('base64')}" />`
            : '';
        })}
        <input type="hidden" name="prune" value="1" />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger" id="confirm">Yes, import and remove them</button>
        <a class="button secondary" href="${urls.hub('admin')}">Cancel</a>
      </form>
    </div>`,
  });
}
