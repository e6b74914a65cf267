import { describe, expect, it } from 'vitest';
import {
  expandScopes,
  hasScope,
  intersectScopes,
  parseScope,
  roleScopes,
  scopesBeyond,
  UnknownScopeError,
} from '../../../src/hub/scopes.js';

describe('scopes', () => {
  it('the user role (self) reaches only the user itself', () => {
    const scopes = roleScopes({ name: 'alice', admin: false });
    expect(hasScope(scopes, 'read:users', { user: 'alice' })).toBe(true);
    expect(hasScope(scopes, 'read:users', { user: 'bob' })).toBe(false);
    expect(hasScope(scopes, 'tokens', { user: 'alice' })).toBe(true);
    expect(hasScope(scopes, 'list:users')).toBe(false);
    // self does not let a user make themselves admin
    expect(hasScope(scopes, 'admin:users', { user: 'alice' })).toBe(false);
    expect(hasScope(scopes, 'users', { user: 'alice' })).toBe(false);
  });

  it('the admin role implies the sub-scopes of its scopes', () => {
    const scopes = roleScopes({ name: 'root1', admin: true });
    for (const s of [
      'admin:users',
      'users',
      'read:users',
      'list:users',
      'read:users:name',
      'groups',
      'list:groups',
      'read:servers',
      'read:tokens',
      'read:metrics',
    ])
      expect(hasScope(scopes, s), s).toBe(true);
  });

  it('filters are carried to implied scopes', () => {
    const scopes = expandScopes(['users!user=bob'], 'alice');
    expect(scopes.has('read:users!user=bob')).toBe(true);
    expect(scopes.has('read:users:name!user=bob')).toBe(true);
    expect(hasScope(scopes, 'read:users', { user: 'bob' })).toBe(true);
    expect(hasScope(scopes, 'read:users', { user: 'carol' })).toBe(false);
  });

  it('a group filter reaches members of that group', () => {
    const scopes = expandScopes(['read:users!group=ta'], 'alice');
    expect(hasScope(scopes, 'read:users', { user: 'bob', userGroups: ['ta'] })).toBe(true);
    expect(hasScope(scopes, 'read:users', { user: 'bob', userGroups: ['other'] })).toBe(false);
  });

  it('a token never holds more than its owner', () => {
    const owner = roleScopes({ name: 'alice', admin: false });
    const token = expandScopes(['read:users', 'admin:users'], 'alice');
    const effective = intersectScopes(token, owner);
    expect(hasScope(effective, 'read:users', { user: 'alice' })).toBe(true);
    expect(hasScope(effective, 'read:users', { user: 'bob' })).toBe(false);
    expect(hasScope(effective, 'admin:users', { user: 'alice' })).toBe(false);
    expect(scopesBeyond(expandScopes(['admin:users'], 'alice'), owner)).toContain('admin:users');
    expect(scopesBeyond(expandScopes(['read:users!user=alice'], 'alice'), owner)).toEqual([]);
    expect(intersectScopes(new Set(['inherit']), owner)).toEqual(owner);
  });

  it('rejects unknown scopes and malformed filters with a hint', () => {
    expect(() => parseScope('root')).toThrow(UnknownScopeError);
    expect(() => parseScope('read:users!bogus')).toThrow(/filter/);
  });
});
