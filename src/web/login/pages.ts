/** The login area's page bodies, rendered with the shared layout. */
import type { Authenticator } from '../../hub/auth/authenticator.js';
import type { HubUrls } from '../../hub/urls.js';
import { csrfField, html, page, type PageUser } from '../layout.js';

type Flash = { kind: 'error' | 'info'; text: string };

export function loginPage(options: {
  urls: HubUrls;
  authenticator: Authenticator;
  next: string;
  username?: string;
  loginXsrf: string;
  flash?: Flash;
}): string {
  const { urls, authenticator, next } = options;
  const form =
    authenticator.kind === 'form'
      ? html`<form method="post" action="${urls.hub('login')}">
            ${csrfField(options.loginXsrf)}
            <input type="hidden" name="next" value="${next}" />
            <label for="username">User name</label>
            <input
              id="username"
              name="username"
              type="text"
              autocomplete="username"
              autocapitalize="none"
              required
              autofocus
              value="${options.username ?? ''}"
            />
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
            <button type="submit">Sign in</button>
          </form>
          ${authenticator.name === 'dummy' ? html`<p class="muted">Demo mode: any password is accepted.</p>` : ''}`
      : html`<a class="button" id="oauth-login" href="${urls.hub('oauth_login')}?next=${encodeURIComponent(next)}"
          >Sign in with ${authenticator.buttonLabel}</a
        >`;
  return page({
    urls,
    title: 'Sign in',
    user: null,
    flash: options.flash,
    body: html`<div class="card narrow">
      <h1>Sign in</h1>
      ${form}
    </div>`,
  });
}

export function notAllowedPage(urls: HubUrls, userName: string | null, adminContact: string): string {
  const who = userName
    ? html`You signed in as <strong>${userName}</strong>, but that account`
    : html`Your account`;
  return page({
    urls,
    title: 'Not allowed',
    user: null,
    body: html`<div class="card narrow">
      <h1>Not allowed</h1>
      <p>${who} is not a user of this hub.</p>
      <p>Ask ${adminContact} to add you, then <a href="${urls.hub('login')}">sign in again</a>.</p>
    </div>`,
  });
}

export function messagePage(options: {
  urls: HubUrls;
  title: string;
  user: PageUser | null;
  csrfToken?: string;
  text: string;
  link?: { href: string; label: string };
  kind?: 'error' | 'info';
}): string {
  return page({
    urls: options.urls,
    title: options.title,
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<div class="card narrow">
      <h1>${options.title}</h1>
      <div class="flash ${options.kind ?? 'info'}" role="${options.kind === 'error' ? 'alert' : 'status'}">
        ${options.text}
      </div>
      ${options.link ? html`<a href="${options.link.href}">${options.link.label}</a>` : ''}
    </div>`,
  });
}

export function changePasswordPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken: string;
  next: string;
  mustChange: boolean;
  flash?: Flash;
}): string {
  return page({
    urls: options.urls,
    title: 'Change password',
    user: options.user,
    csrfToken: options.csrfToken,
    flash:
      options.flash ??
      (options.mustChange
        ? { kind: 'info', text: 'Your password was reset by an administrator. Choose a new one to continue.' }
        : undefined),
    body: html`<div class="card narrow">
      <h1>Change password</h1>
      <form method="post" action="${options.urls.hub('change-password')}">
        ${csrfField(options.csrfToken)}
        <input type="hidden" name="next" value="${options.next}" />
        <label for="current">Current password</label>
        <input id="current" name="current" type="password" autocomplete="current-password" required />
        <label for="password">New password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required />
        <label for="confirm">New password again</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
        <button type="submit">Change password</button>
      </form>
    </div>`,
  });
}

export function passwordResetPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken: string;
  target: string;
  password: string;
}): string {
  return page({
    urls: options.urls,
    title: 'Password reset',
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<div class="card narrow">
      <h1>Password reset</h1>
      <p>The new password of <strong>${options.target}</strong> is:</p>
      <p><code id="new-password">${options.password}</code></p>
      <p class="muted">
        It is shown only this once. ${options.target} must choose a new password at next sign-in; all of their
        sessions were ended.
      </p>
      <a href="${options.urls.hub('admin')}">Back to the admin console</a>
    </div>`,
  });
}
