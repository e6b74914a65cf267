// No open redirect after login (issue 11, item 2): whatever `next` a crafted link carries, every
// login route sends the browser to a page of this hub. Each form below is sent to the real login
// routes (the form login, the login page of a signed-in browser, and the OAuth callback through a
// fake GitHub), and the answer's Location is resolved the way a browser resolves it (WHATWG URL,
// which also strips tabs and newlines and reads "\" as "/"): it must stay on the hub's origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../support/fake-github.js';
import { Browser, startTestHub, type TestHub } from '../hub/auth/hub-fixture.js';

const HUB_ORIGIN = 'http://hub.example:8000';
const CALLBACK = 'http://127.0.0.1:8000/hub/oauth_callback';

/** `next` values of crafted links: each must not leave the hub. */
const HOSTILE: [string, string][] = [
  ['protocol-relative', '//evil.example/phish'],
  ['three slashes', '///evil.example/phish'],
  ['backslash', '/\\evil.example/phish'],
  ['slash backslash slash', '/\\/evil.example/phish'],
  ['two backslashes', '\\\\evil.example/phish'],
  ['dot segment before //', '/.//evil.example/phish'],
  ['dot segment before /\\', '/./\\evil.example/phish'],
  ['dot-dot segment before //', '/a/..//evil.example/phish'],
  ['dot-dot above the root', '/hub/../..//evil.example/phish'],
  ['encoded dot segment', '/%2e//evil.example/phish'],
  ['encoded dot-dot segment', '/x/%2E%2E//evil.example/phish'],
  ['encoded slashes', '/%2F%2Fevil.example/phish'],
  ['encoded backslash', '/%5Cevil.example/phish'],
  ['encoded slashes, no leading slash', '%2F%2Fevil.example/phish'],
  ['double-encoded slashes', '%252F%252Fevil.example/phish'],
  ['double-encoded, leading slash', '/%252F%252Fevil.example/phish'],
  ['double-encoded dot segment', '/%252e//evil.example/phish'],
  ['absolute https URL', 'https://evil.example/phish'],
  ['absolute URL, upper case', 'HTTPS://EVIL.EXAMPLE/phish'],
  ['scheme without slashes', 'http:evil.example/phish'],
  ['absolute URL on the hub origin but another port', 'http://hub.example:9999/'],
  ['javascript: URL', 'javascript:alert(document.domain)'],
  ['javascript: after a slash and a tab', '/\tjavascript:alert(1)'],
  ['data: URL', 'data:text/html,<script>alert(1)</script>'],
  ['tab inside //', '/\t/evil.example/phish'],
  ['newline inside //', '/\n/evil.example/phish'],
  ['CR LF inside //', '/\r\n/evil.example/phish'],
  ['leading space', ' //evil.example/phish'],
  ['leading tab', '\t//evil.example/phish'],
  ['NUL byte', '/\u0000/evil.example/phish'],
];

/** Kept as they are: ordinary paths on the hub. */
const KEPT: [string, string][] = [
  ['/user/ann/tree?x=1#top', '/user/ann/tree?x=1#top'],
  ['/hub/admin', '/hub/admin'],
  ['/user/ann/notebooks/a%20b.ipynb', '/user/ann/notebooks/a%20b.ipynb'],
];

/** Where a browser goes with this Location, from a page of the hub. */
function resolved(location: string): URL {
  return new URL(location, `${HUB_ORIGIN}/hub/login`);
}

function expectOnHub(location: string | undefined, next: string): void {
  expect(location, `next=${JSON.stringify(next)}`).toBeDefined();
  expect(resolved(location!).origin, `next=${JSON.stringify(next)} -> Location ${location}`).toBe(HUB_ORIGIN);
  // The Location itself is a path on this hub: one "/" then no "/" or "\" (a browser reads both
  // "//x" and "/\x" as another host), and no control characters.
  // eslint-disable-next-line no-control-regex
  expect(location!, `next=${JSON.stringify(next)}`).toMatch(/^\/(?![/\\])[^\u0000-\u001f\u007f\\]*$/);
}

describe('form login', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ auth: { authenticator: 'dummy' } }, { users: [{ name: 'ann' }] });
  });
  afterAll(async () => hub?.close());

  it.each(HOSTILE)('%s: POST /hub/login lands on the hub', async (_what, next) => {
    const response = await new Browser(hub.app).login('ann', 'any', next);
    expect(response.statusCode).toBe(302);
    expectOnHub(response.headers.location as string, next);
  });

  it.each(HOSTILE)('%s: GET /hub/login of a signed-in browser lands on the hub', async (_what, next) => {
    const browser = new Browser(hub.app);
    expect((await browser.login('ann', 'any')).statusCode).toBe(302);
    const response = await browser.request({ url: `/hub/login?next=${encodeURIComponent(next)}` });
    expect(response.statusCode).toBe(303);
    expectOnHub(response.headers.location as string, next);
  });

  it.each(KEPT)('keeps the hub path %s', async (next, expected) => {
    const response = await new Browser(hub.app).login('ann', 'any', next);
    expect(response.headers.location).toBe(expected);
  });
});

describe('OAuth callback', () => {
  let github: FakeGitHub;
  let hub: TestHub;
  beforeAll(async () => {
    github = new FakeGitHub({ clientId: 'Iv1.client', clientSecret: 'shh', callbackUrl: CALLBACK });
    await github.start();
    github.addUser('ann', []);
    hub = await startTestHub(
      {
        auth: {
          authenticator: 'github',
          github: {
            clientId: 'Iv1.client',
            clientSecret: 'shh',
            callbackUrl: CALLBACK,
            webUrl: github.url,
            apiUrl: github.url,
          },
        },
      },
      { users: [{ name: 'ann' }] },
    );
  });
  afterAll(async () => {
    await hub?.close();
    await github?.stop();
  });

  /** Starts a GitHub login with `next`, lets GitHub answer, and returns the callback's answer. */
  async function callback(next: string) {
    const browser = new Browser(hub.app);
    github.signIn('ann');
    const start = await browser.request({ url: `/hub/oauth_login?next=${encodeURIComponent(next)}` });
    expect(start.statusCode).toBe(302);
    const answer = await fetch(String(start.headers.location), { redirect: 'manual' });
    const back = new URL(answer.headers.get('location')!);
    return browser.request({ url: back.pathname + back.search });
  }

  it.each(HOSTILE)('%s: the callback lands on the hub', async (_what, next) => {
    const response = await callback(next);
    expect(response.statusCode).toBe(302);
    expectOnHub(response.headers.location as string, next);
  });

  it.each(KEPT)('keeps the hub path %s', async (next, expected) => {
    expect((await callback(next)).headers.location).toBe(expected);
  });
});
