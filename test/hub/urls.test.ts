// hub.baseUrl in one place (src/hub/urls.ts): every path the hub serves or hands out, and the
// proxy's reading of which user a path under the base belongs to.
import { describe, expect, it } from 'vitest';
import { userServerRoutespec } from '../../src/hub/proxy/client.js';
import { RouteTable } from '../../src/hub/proxy/route-table.js';
import { BaseUrlError, HubUrls, normalizeBaseUrl } from '../../src/hub/urls.js';

describe('HubUrls', () => {
  it('normalizes the base URL to one leading and one trailing slash', () => {
    for (const given of ['', '/', '//']) expect(normalizeBaseUrl(given)).toBe('/');
    for (const given of ['jhub', '/jhub', 'jhub/', '/jhub/', ' /jhub// '])
      expect(normalizeBaseUrl(given)).toBe('/jhub/');
    expect(normalizeBaseUrl('/a/b')).toBe('/a/b/');
  });

  it('refuses a base URL that is not a plain path', () => {
    for (const bad of ['/a/../b', '/a//b', '/a?b', '/a#b', '/a%2fb', '/a b', '/a\\b'])
      expect(() => normalizeBaseUrl(bad)).toThrow(BaseUrlError);
  });

  it('builds hub, API, login and user-server paths under the base', () => {
    for (const [base, prefix] of [
      ['/', '/'],
      ['/jhub/', '/jhub/'],
    ] as const) {
      const urls = new HubUrls(base);
      expect(urls.base).toBe(prefix);
      expect(urls.hub()).toBe(`${prefix}hub/`);
      expect(urls.hub('login')).toBe(`${prefix}hub/login`);
      expect(urls.hub('/home')).toBe(`${prefix}hub/home`);
      expect(urls.api()).toBe(`${prefix}hub/api`);
      expect(urls.api('users/alice')).toBe(`${prefix}hub/api/users/alice`);
      expect(urls.login(`${prefix}hub/admin?x=1`)).toBe(
        `${prefix}hub/login?next=${encodeURIComponent(`${prefix}hub/admin?x=1`)}`,
      );
      expect(urls.userPrefix).toBe(`${prefix}user/`);
      expect(urls.user('alice')).toBe(`${prefix}user/alice/`);
      expect(urls.user('alice', 'gpu', 'tree')).toBe(`${prefix}user/alice/gpu/tree`);
      expect(userServerRoutespec('alice', '', base)).toBe(`${prefix}user/alice/`);
    }
  });

  it('the proxy reads the owner of a path only under its own base URL', () => {
    const table = new RouteTable('/jhub/');
    expect(table.ownerOf('/jhub/user/alice/tree')).toBe('alice');
    expect(table.ownerOf('/jhub/user/alice')).toBe('alice');
    expect(table.ownerOf('/user/alice/tree')).toBeUndefined();
    expect(table.ownerOf('/jhub/hub/user/alice/tree')).toBeUndefined();
    expect(table.add('/jhub/user/bob/', 'http://127.0.0.1:9').data.user).toBe('bob');
    expect(new RouteTable().ownerOf('/user/alice/tree')).toBe('alice');
  });
});
