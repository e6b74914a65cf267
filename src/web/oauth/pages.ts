/** The OAuth consent page ("... would like permission to ...") and the provider's error page. */
import type { HubUrls } from '../../hub/urls.js';
import { csrfField, html, page, type PageUser } from '../layout.js';

export function consentPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken: string;
  /** The authorize URL with its query: the form posts back to it. */
  action: string;
  clientDescription: string;
  extraScopes: string[];
}): string {
  const { urls, user, csrfToken, action, clientDescription, extraScopes } = options;
  const scopes =
    extraScopes.length === 0
      ? html`<p>It will know your user name and groups, and nothing more.</p>`
      : html`<p>It will know your user name and groups, and may, as you:</p>
          <ul class="oauth-scopes">
            ${extraScopes.map(
              (scope) =>
                html`<li>
                  <label><input type="checkbox" name="scopes" value="${scope}" checked /> <code>${scope}</code></label>
                </li>`,
            )}
          </ul>`;
  return page({
    urls,
    title: 'Authorize access',
    user,
    csrfToken,
    body: html`<div class="card narrow">
      <h1>Authorize access</h1>
      <p><strong>${clientDescription}</strong> would like permission to identify you.</p>
      ${scopes}
      <form method="post" action="${action}">
        ${csrfField(csrfToken)}
        <button type="submit" id="oauth-authorize">Authorize</button>
      </form>
      <p class="muted">Not expecting this? Close this page: nothing is shared until you authorize.</p>
    </div>`,
  });
}

export function oauthErrorPage(
  urls: HubUrls,
  user: PageUser | null,
  status: number,
  message: string,
  hint?: string,
): string {
  return page({
    urls,
    title: 'Authorization refused',
    user,
    flash: { kind: 'error', text: message },
    body: html`<div class="card narrow">
      <h1>${status}: authorization refused</h1>
      <p>${message}</p>
      ${hint ? html`<p class="muted">${hint}</p>` : ''}
      <p><a href="${urls.hub('home')}">Back to your home page</a></p>
    </div>`,
  });
}
