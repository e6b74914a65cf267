// The page shell and the escaping template every page relies on (src/web/layout.ts).
import { describe, expect, it } from 'vitest';
import { csrfField, escapeHtml, html, page, rawHtml } from '../../src/web/layout.js';
import { HubUrls } from '../../src/hub/urls.js';

describe('html template', () => {
  it('escapes interpolated text so it cannot become markup', () => {
    const name = '<script>alert("x")</script>&\'`';
    expect(html`<p>${name}</p>`.value).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;</p>',
    );
  });

  // Prettier formats `html` templates as HTML (adding closing tags and line breaks), which would
  // change the very strings these tests compare; hence the prettier-ignore marks below.
  it('keeps nested html results and joins lists, dropping null/undefined/false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    // prettier-ignore
    const list = html`<ul>${items}${null}${undefined}${false}${0}</ul>`;
    expect(list.value).toBe('<ul><li>a&lt;b</li><li>c</li>0</ul>');
  });

  it('passes rawHtml through unchanged and escapes attribute quotes', () => {
    // prettier-ignore
    const link = html`${rawHtml('<b>x</b>')}<a title="${'" onmouseover="x'}">`;
    expect(link.value).toBe('<b>x</b><a title="&quot; onmouseover=&quot;x">');
    expect(escapeHtml('"&')).toBe('&quot;&amp;');
  });
});

describe('page', () => {
  it('renders a full document with an escaped title, user bar, csrf meta and logout form', () => {
    const doc = page({
      urls: new HubUrls('/'),
      title: 'A & B',
      user: { name: 'ann<x>', admin: true },
      body: html`<p>hello</p>`,
      csrfToken: 'tok"1',
    });
    expect(doc.startsWith('<!doctype html>')).toBe(true);
    expect(doc).toContain('<title>A &amp; B · coursehub</title>');
    expect(doc).toContain('ann&lt;x&gt;');
    expect(doc).not.toContain('ann<x>');
    expect(doc).toMatch(/<meta name="csrf-token" content="tok&quot;1" ?\/?>/);
    expect(doc).toMatch(/<input type="hidden" name="_xsrf" value="tok&quot;1" ?\/?>/);
    expect(doc).toContain('href="/hub/admin"');
    expect(doc).toContain('<p>hello</p>');
  });

  it('shows no user bar, no admin link and no csrf field to an anonymous visitor', () => {
    const doc = page({
      urls: new HubUrls('/'),
      title: 'Login',
      user: null,
      body: html``,
      flash: { kind: 'error', text: '<b>' },
    });
    expect(doc).not.toContain('/hub/logout');
    expect(doc).not.toContain('/hub/admin');
    expect(doc).not.toContain('csrf-token');
    expect(doc).toContain('<div class="flash error" role="alert">&lt;b&gt;</div>');
    expect(csrfField(undefined).value).toBe('');
  });
});
