/**
 * The "Server" cell of each user's row in the admin console (the composition root hands it to
 * the admin area): state, when it started and was last active, and Start / Stop buttons that
 * post to the same endpoints as the home page, with the session's CSRF token.
 */
import type { ServerFields } from '../../hub/api/user-model.js';
import type { HubUrls } from '../../hub/urls.js';
import type { HubUser } from '../../hub/users/user-service.js';
import { csrfField, html, type SafeHtml } from '../layout.js';

function shortTime(iso: string | null | undefined): string {
  return iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : '';
}

export function adminServerCell(
  urls: HubUrls,
): (user: HubUser, fields: ServerFields, csrfToken: string) => SafeHtml {
  return (user, fields, csrfToken) => serverCell(urls, user, fields, csrfToken);
}

function serverCell(urls: HubUrls, user: HubUser, fields: ServerFields, csrfToken: string): SafeHtml {
  const own = fields.servers[''];
  if (fields.pending === 'spawn')
    return html`<span class="muted" data-server-state="starting">starting…</span>`;
  if (fields.pending === 'stop')
    return html`<span class="muted" data-server-state="stopping">stopping…</span>`;
  if (fields.server)
    return html`<span data-server-state="running"><a href="${fields.server}">running</a></span>
      <span class="muted" title="started ${shortTime(own?.started)}"
        >active ${shortTime(own?.last_activity)}</span
      >
      <form method="post" action="${urls.hub(`stop/${user.name}`)}" class="inline">
        ${csrfField(csrfToken)}<button type="submit" class="danger" data-action="stop-server">Stop</button>
      </form>`;
  return html`<span class="muted" data-server-state="stopped">stopped</span>
    <form method="post" action="${urls.hub(`spawn/${user.name}`)}" class="inline">
      ${csrfField(csrfToken)}<button type="submit" class="secondary" data-action="start-server">Start</button>
    </form>`;
}
