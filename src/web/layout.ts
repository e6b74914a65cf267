/**
 * The page shell every server-rendered page uses, and the `html` template that escapes what it
 * interpolates. Pages build their body with `html\`...\`` so that a user name, a notebook title or
 * a query parameter can never become markup; only values that are already `SafeHtml` (made by
 * `html` itself or, deliberately, by `rawHtml`) pass through unescaped. Every link, form action
 * and script path comes from HubUrls, so pages work under any hub.baseUrl.
 */
import type { HubUrls } from '../hub/urls.js';

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

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#f6f8fa}
header{display:flex;align-items:center;gap:1rem;padding:.6rem 1.2rem;background:#24292f;color:#fff}
header a{color:#fff;text-decoration:none}
header .brand{font-weight:600;margin-right:auto}
header form{margin:0}
header button{background:none;border:1px solid #8c959f;color:#fff;padding:.2rem .7rem;border-radius:6px;cursor:pointer}
main{max-width:960px;margin:1.5rem auto;padding:0 1.2rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.2rem;margin-bottom:1rem}
.narrow{max-width:380px;margin:3rem auto}
label{display:block;margin:.6rem 0 .2rem;font-weight:500}
input[type=text],input[type=password],input[type=email],input[type=number],select,textarea{width:100%;padding:.45rem .6rem;border:1px solid #d0d7de;border-radius:6px;font:inherit}
button,.button{display:inline-block;margin-top:.8rem;padding:.45rem 1rem;border:1px solid #1f883d;border-radius:6px;background:#1f883d;color:#fff;font:inherit;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#f6f8fa;color:#24292f;border-color:#d0d7de}
button.danger{background:#cf222e;border-color:#cf222e}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #d0d7de}
.flash{padding:.7rem 1rem;border-radius:6px;margin-bottom:1rem}
.flash.error{background:#ffebe9;border:1px solid #ff818266;color:#82071e}
.flash.info{background:#ddf4ff;border:1px solid #54aeff66;color:#0a3069}
.muted{color:#656d76}
`;

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
        <style>
          ${rawHtml(STYLE)}
        </style>
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
