/**
 * The home page's "Named servers" card, as JupyterHub's home page has it when named servers are
 * on: each of the user's named servers (running or stopped) with its URL, last activity and
 * start / stop / delete, and a form to add one. Plain forms, so it works without JavaScript;
 * starting goes through the spawn-pending page, which follows the progress.
 */
import type { ServerManager } from '../../hub/servers/server-manager.js';
import type { HubUrls } from '../../hub/urls.js';
import { csrfField, html, type SafeHtml } from '../layout.js';

export interface NamedServerRow {
  name: string;
  phase: 'running' | 'starting' | 'stopping' | 'stopped';
  /** Public path, e.g. /user/alice/x/ */
  url: string;
  lastActivity: string | null;
}

export interface NamedServersView {
  /** 0 = no limit. */
  limit: number;
  servers: NamedServerRow[];
}

/** The user's named servers, or undefined when named servers are off. */
export async function namedServersOf(
  manager: ServerManager,
  userName: string,
): Promise<NamedServersView | undefined> {
  const settings = manager.namedServers;
  if (!settings.allowNamedServers) return undefined;
  const servers: NamedServerRow[] = [];
  for (const record of await manager.records(userName)) {
    if (record.name === '') continue;
    const live = manager.status(userName, record.name);
    servers.push({
      name: record.name,
      phase: !live
        ? 'stopped'
        : live.pending === 'spawn'
          ? 'starting'
          : live.pending === 'stop'
            ? 'stopping'
            : 'running',
      url: manager.publicUrl(userName, record.name),
      lastActivity: record.lastActivity,
    });
  }
  servers.sort((a, b) => a.name.localeCompare(b.name));
  return { limit: settings.namedServerLimitPerUser, servers };
}

function actions(urls: HubUrls, user: string, row: NamedServerRow, csrfToken: string | undefined): SafeHtml {
  const path = `${user}/${row.name}`;
  const form = (action: string, label: string, id: string, kind = '') =>
    html`<form method="post" action="${action}" class="inline">
      ${csrfField(csrfToken)}<button type="submit" id="${id}" class="${kind}">${label}</button>
    </form>`;
  if (row.phase === 'running') return form(urls.hub(`stop/${path}`), 'stop', `stop-${row.name}`, 'danger');
  if (row.phase === 'stopped')
    return html`${form(
      `${urls.hub(`spawn/${path}`)}?next=${encodeURIComponent(`${row.url}tree`)}`,
      'start',
      `start-${row.name}`,
    )}
    ${form(urls.hub(`delete-server/${path}`), 'delete', `delete-${row.name}`, 'danger')}`;
  return html`<span class="muted">${row.phase}…</span>`;
}

export function namedServerCard(
  urls: HubUrls,
  user: string,
  view: NamedServersView,
  csrfToken: string | undefined,
): SafeHtml {
  const room = view.limit > 0 ? `up to ${view.limit} more` : 'more';
  return html`<div class="card" id="named-servers">
    <h2>Named servers</h2>
    <p>
      Besides your default server, you may have ${room} server(s) with names, each running on its own
      (they share your files).
    </p>
    <form method="post" action="${urls.hub(`named-servers/${user}`)}" id="add-server-form">
      ${csrfField(csrfToken)}
      <input name="server_name" aria-label="server name" placeholder="name-your-server" required />
      <button type="submit" id="add-server">Add New Server</button>
    </form>
    <table class="server-table">
      <thead>
        <tr>
          <th>Server name</th>
          <th>URL</th>
          <th>Last activity</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        ${view.servers.map(
          (row) =>
            html`<tr data-server-name="${row.name}" data-phase="${row.phase}">
              <td>${row.name}</td>
              <td>${row.phase === 'running' ? html`<a href="${row.url}">${row.url}</a>` : html``}</td>
              <td>${row.lastActivity ? `${row.lastActivity.replace('T', ' ').slice(0, 16)} UTC` : 'Never'}</td>
              <td>${actions(urls, user, row, csrfToken)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
