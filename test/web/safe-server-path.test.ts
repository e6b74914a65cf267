// safeServerPath (src/web/home/safe-server-path.ts): after a start, a browser goes only into that
// user's own server. Every refused form falls back to the server's tree.
import { describe, expect, it } from 'vitest';
import { safeServerPath } from '../../src/web/home/safe-server-path.js';

const SERVER = '/user/alice/';
const TREE = '/user/alice/tree';

describe('safeServerPath', () => {
  it.each([
    '/user/alice/tree',
    '/user/alice/',
    '/user/alice/notebooks/a%20b.ipynb?kernel=1#cell',
    '/user/alice/lab/tree/ps1/problem1.ipynb',
    '/user/alice/tree?from=bookmark&x=%2F',
  ])('keeps %s', (next) => {
    expect(safeServerPath(next, SERVER)).toBe(next);
  });

  it.each([
    ['nothing', undefined],
    ['a number', 42],
    ['an empty string', ''],
    ["another user's server", '/user/bob/tree'],
    ['a user whose name starts the same', '/user/alicex/tree'],
    ['the prefix without its slash', '/user/alice'],
    ['dot-dot into another server', '/user/alice/../bob/tree'],
    ['dot-dot at the end', '/user/alice/tree/../..'],
    ['a dot segment', '/user/alice/./tree'],
    ['encoded dot-dot', '/user/alice/%2e%2e/bob/tree'],
    ['half-encoded dot-dot', '/user/alice/.%2E/bob/tree'],
    ['an encoded slash', '/user/alice/..%2fbob/tree'],
    ['an encoded backslash', '/user/alice/..%5Cbob/tree'],
    ['a backslash', '/user/alice/..\\bob\\tree'],
    ['an empty segment', '/user/alice//evil.example/'],
    ['a tab', '/user/alice/\t/tree'],
    ['a newline', '/user/alice/\n/tree'],
    ['a NUL byte', '/user/alice/\u0000'],
    ['a protocol-relative URL', '//evil.example/user/alice/'],
    ['an absolute URL', 'https://evil.example/user/alice/tree'],
    ['a javascript: URL', 'javascript:alert(1)//user/alice/'],
  ])('refuses %s', (_what, next) => {
    expect(safeServerPath(next, SERVER)).toBe(TREE);
  });

  it('works under a base URL', () => {
    expect(safeServerPath('/jhub/user/alice/tree', '/jhub/user/alice/')).toBe('/jhub/user/alice/tree');
    expect(safeServerPath('/user/alice/tree', '/jhub/user/alice/')).toBe('/jhub/user/alice/tree');
  });
});
