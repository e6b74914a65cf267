/**
 * Where the spawner area plugs each user's server into the admin console: a cell for the
 * "Server" column (state, start/stop buttons). Until it does, the column shows what the REST
 * API's server fields say (see src/hub/api/user-model.ts `provideServerFields`).
 */
import type { HubContext } from '../../hub/context.js';
import type { ServerFields } from '../../hub/api/user-model.js';
import type { HubUser } from '../../hub/users/user-service.js';
import { html, type SafeHtml } from '../layout.js';

export type AdminServerCell = (user: HubUser, fields: ServerFields, csrfToken: string) => SafeHtml;

const cells = new WeakMap<HubContext, AdminServerCell>();

export function provideAdminServerCell(ctx: HubContext, cell: AdminServerCell): void {
  cells.set(ctx, cell);
}

const defaultCell: AdminServerCell = (_user, fields) =>
  fields.pending
    ? html`<span class="muted">${fields.pending === 'spawn' ? 'starting' : 'stopping'}</span>`
    : fields.server
      ? html`<a href="${fields.server}">running</a>`
      : html`<span class="muted">stopped</span>`;

export function adminServerCell(ctx: HubContext): AdminServerCell {
  return cells.get(ctx) ?? defaultCell;
}
