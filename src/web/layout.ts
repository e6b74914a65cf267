/**
 * The page shell every server-rendered page uses, and the `html` template that escapes what it
 * interpolates. Pages build their body with `html\`...\`` so that a user name, a notebook title or
 * a query parameter can never become markup; only values that are already `SafeHtml` (made by
 * `html` itself or, deliberately, by `rawHtml`) pass through unescaped. Every link, form action
 * and script path comes from HubUrls, so pages work under any hub.baseUrl. Pages hold no inline
 * script or style (the Content-Security-Policy of ./security-headers.ts forbids both): styles are
 * in ./stylesheet.ts, scripts are files.
 */
import type { HubUrls } from '../hub/urls.js';
import { STYLESHEET_PATH } from './stylesheet.js';

/** Markup that is known to be safe to insert as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** Something `html` may interpolate: text (escaped), SafeHtml (kept), lists (joined), nothing. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name`; nested `html` results stay markup. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks trusted markup (e.g. a rendered notebook that was sanitized already) as safe. */
export function rawHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** The hidden form field that carries the CSRF token (JupyterHub's name for it: `_xsrf`). */
export function csrfField(csrfToken: string | undefined): SafeHtml {
  return csrfToken ? html`<input type="hidden" name="_xsrf" value="${csrfToken}" />` : html``;
}

export interface PageUser {
  name: string;
  admin?: boolean;
}

export interface PageOptions {
  /** Where the hub's pages are (hub.baseUrl), for the header's links and the logout form. */
  urls: HubUrls;
  title: string;
  /** The signed-in user, or null on pages seen before login. */
  user: PageUser | null;
  body: SafeHtml;
  /** The session's CSRF token; forms need it (use `csrfField`), and it is put in a meta tag. */
  csrfToken?: string;
  /** HTTP-level status is the route's business; this only marks the page (e.g. error pages). */
  flash?: { kind: 'error' | 'info'; text: string };
}

/** A complete HTML document: header with the user and a logout button, then the body. */
export function page(options: PageOptions): string {
  const { urls, title, user, body, csrfToken, flash } = options;
  const userBar = user
    ? html`<a href="${urls.hub('home')}">Home</a>${user.admin ? html`<a href="${urls.hub('admin')}">Admin</a>` : ''}
        <span class="muted">${user.name}</span>
        <form method="post" action="${urls.hub('logout')}">
          ${csrfField(csrfToken)}<button type="submit">Log out</button>
        </form>`
    : html``;
  const doc = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${csrfToken ? html`<meta name="csrf-token" content="${csrfToken}" />` : ''}
        <title>${title} · coursehub</title>
        <link rel="stylesheet" href="${urls.hub(STYLESHEET_PATH)}" />
      </head>
      <body>
        <header><a class="brand" href="${urls.hub('home')}">coursehub</a>${userBar}</header>
        <main>
          ${flash ? html`<div class="flash ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</div>` : ''}
          ${body}
        </main>
      </body>
    </html> `;
  return doc.value;
}
