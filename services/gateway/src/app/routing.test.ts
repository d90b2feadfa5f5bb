import { describe, expect, it } from 'vitest';
import { matchRoute, normalisePath, ROUTES } from './routing.js';

const route = (method: string, path: string) => {
  const m = matchRoute(method, path);
  return m && { upstream: m.rule.upstream, access: m.rule.access, kind: m.rule.kind, params: m.params };
};

describe('routing table', () => {
  it.each([
    ['POST', '/api/auth/signup', 'users', 'public', 'credentials'],
    ['POST', '/api/auth/login', 'users', 'public', 'credentials'],
    ['POST', '/api/auth/login/mfa', 'users', 'public', 'credentials'],
    ['POST', '/api/account/two-factor/setup', 'users', 'viewer', 'credentials'],
    ['POST', '/api/account/two-factor/disable', 'users', 'viewer', 'credentials'],
    ['POST', '/api/account/two-factor/confirm', 'users', 'viewer', 'proxy'],
    ['GET', '/api/auth/options', 'users', 'public', 'proxy'],
    ['GET', '/api/auth/oidc/start', 'users', 'public', 'proxy'],
    ['GET', '/api/auth/oidc/callback', 'users', 'public', 'proxy'],
    ['POST', '/api/auth/oidc/token', 'users', 'public', 'proxy'],
    ['POST', '/api/auth/refresh', 'users', 'public', 'proxy'],
    ['POST', '/api/auth/logout', 'users', 'public', 'proxy'],
    ['POST', '/api/auth/verify-email', 'users', 'public', 'proxy'],
    ['POST', '/api/auth/password-reset/request', 'users', 'public', 'credentials'],
    ['POST', '/api/auth/password-reset', 'users', 'public', 'credentials'],
    ['GET', '/api/auth/verify-email', 'users', 'viewer', 'proxy'],
    ['POST', '/api/account/email-verification', 'users', 'viewer', 'proxy'],
    ['DELETE', '/api/account/sessions', 'users', 'viewer', 'proxy'],
    ['GET', '/api/admin/mail', 'users', 'admin', 'proxy'],
    ['PUT', '/api/account/password', 'users', 'viewer', 'credentials'],
    ['POST', '/api/admin/plan-changes/acc-1', 'users', 'admin', 'proxy'],
    ['GET', '/api/account/sessions', 'users', 'viewer', 'proxy'],
    ['GET', '/api/auth/sessions', 'users', 'viewer', 'proxy'],
    ['GET', '/api/auth/login', 'users', 'viewer', 'proxy'],
    ['GET', '/api/account', 'users', 'viewer', 'proxy'],
    ['GET', '/api/account/sessions', 'users', 'viewer', 'proxy'],
    ['GET', '/api/profiles', 'users', 'viewer', 'proxy'],
    ['POST', '/api/profiles', 'users', 'viewer', 'proxy'],
    ['PATCH', '/api/profiles/p1', 'users', 'viewer', 'proxy'],
    ['PUT', '/api/profiles/p1/list/t1', 'users', 'viewer', 'proxy'],
    ['GET', '/api/profiles/p1/home', 'recommender', 'viewer', 'home'],
    ['POST', '/api/profiles/p1/home', 'users', 'viewer', 'proxy'],
    ['GET', '/api/titles', 'streaming', 'viewer', 'proxy'],
    ['GET', '/api/titles/t1', 'streaming', 'viewer', 'proxy'],
    ['POST', '/api/playback', 'streaming', 'viewer', 'proxy'],
    ['POST', '/api/playback/s1/heartbeat', 'streaming', 'viewer', 'proxy'],
    ['GET', '/api/steering/s1.json', 'streaming', 'optional', 'proxy'],
    ['POST', '/api/admin/titles', 'streaming', 'admin', 'proxy'],
    ['POST', '/api/admin/titles/s1/episodes', 'streaming', 'admin', 'proxy'],
    ['POST', '/api/admin/uploads', 'storage', 'admin', 'upload'],
    ['PATCH', '/api/admin/uploads/u1', 'storage', 'admin', 'upload'],
    ['GET', '/api/admin/edges', 'streaming', 'admin', 'proxy'],
    ['GET', '/api/admin/queue', 'encoder', 'admin', 'proxy'],
    ['GET', '/api/admin/users', 'users', 'admin', 'proxy'],
    ['PATCH', '/api/admin/users/acc-1', 'users', 'admin', 'proxy'],
    ['GET', '/api/admin/backups', 'storage', 'admin', 'proxy'],
    ['GET', '/api/admin/health', 'gateway', 'admin', 'health'],
  ])('%s %s → %s (%s, %s)', (method, path, upstream, access, kind) => {
    expect(route(method, path)).toMatchObject({ upstream, access, kind });
  });

  it('captures the profile id wherever a path names one', () => {
    expect(route('GET', '/api/profiles/p-42/home')?.params).toEqual({ profileId: 'p-42' });
    expect(route('DELETE', '/api/profiles/p-42/list/t9')?.params).toEqual({ profileId: 'p-42' });
    expect(route('GET', '/api/profiles')?.params).toEqual({});
  });

  it('treats a trailing slash as the same path and does not match lookalike prefixes', () => {
    expect(route('GET', '/api/titles/')).toMatchObject({ upstream: 'streaming' });
    expect(route('GET', '/api/titlesX')).toBeUndefined();
    expect(route('GET', '/api/admin/titlesX')).toBeUndefined();
    expect(route('GET', '/api')).toBeUndefined();
    expect(route('GET', '/internal/jwks')).toBeUndefined();
  });

  it('checks the body profile of a playback start', () => {
    expect(matchRoute('POST', '/api/playback')?.rule.profileInBody).toBe('profileId');
  });

  it('keeps every admin path behind the admin role', () => {
    for (const rule of ROUTES.filter((r) => r.pattern.startsWith('/api/admin'))) {
      expect(rule.access).toBe('admin');
    }
  });
});

describe('normalisePath', () => {
  it('decodes what upstream routers decode', () => {
    expect(normalisePath('/api/%61dmin/titles')).toBe('/api/admin/titles');
    expect(normalisePath('/api/titles/a%20b')).toBe('/api/titles/a b');
  });

  it.each([
    '/api/titles/../admin/titles',
    '/api/titles/./x',
    '/api/titles/%2e%2e/admin',
    '/api/titles%2fadmin',
    '/api//admin/titles',
    '/api/titles\\x',
    '/api/titles/%5cx',
    '/api/titles/%00',
    '/api/titles/%E0%A4%A',
    'api/titles',
    '/api/titles/..',
    '/api/titles/.',
    '//api/titles',
    '/api/titles//',
    '/api/titles/a%09b',
  ])('refuses %s', (path) => {
    expect(normalisePath(path)).toBeUndefined();
  });

  it.each(['/api/titles/', '/api/titles/.hidden', '/api/titles/..x', '/api/titles/a.', '/'])(
    'keeps %s (a trailing slash, dots inside a segment)',
    (path) => {
      expect(normalisePath(path)).toBe(path);
    },
  );
});
