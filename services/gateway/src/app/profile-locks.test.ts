import { describe, expect, it } from 'vitest';
import { decideProfileLock, needsConfinement } from './profile-locks.js';

const adult = { profileId: 'p-adult', kids: false, lockedAt: '2026-12-06T10:00:00.000Z' };
const open = { profileId: 'p-open', kids: false, lockedAt: null };
const kid = { profileId: 'p-kid', kids: true, lockedAt: '2026-12-06T10:00:00.000Z' };
const decide = (
  method: string,
  path: string,
  profile: typeof adult | typeof open | typeof kid | undefined,
  confinedTo: string | null = null,
  keyValid = false,
) => decideProfileLock({ method, path, profile, confinedTo, keyValid });

describe('decideProfileLock', () => {
  it('asks for a profile key on a locked adult profile, except where the PIN or password is given', () => {
    expect(decide('GET', '/api/profiles/p-adult/list', adult)).toEqual({
      allowed: false,
      code: 'profile.locked',
    });
    expect(decide('GET', '/api/profiles/p-adult/list', adult, null, true)).toEqual({ allowed: true });
    expect(decide('POST', '/api/playback', adult)).toEqual({ allowed: false, code: 'profile.locked' });
    for (const route of ['unlock', 'pin', 'enter']) {
      expect(decide('POST', `/api/profiles/p-adult/${route}`, adult).allowed).toBe(true);
    }
    expect(decide('GET', '/api/profiles/p-open/list', open).allowed).toBe(true);
    // A kids profile's PIN guards leaving it, not opening it.
    expect(decide('GET', '/api/profiles/p-kid/list', kid).allowed).toBe(true);
  });

  it('keeps a confined device in its kids profile, whatever it names', () => {
    const confined = (method: string, path: string, profile?: typeof adult | typeof kid) =>
      decide(method, path, profile, 'p-kid').allowed;
    expect(confined('GET', '/api/profiles/p-kid/list', kid)).toBe(true);
    expect(confined('POST', '/api/profiles/p-kid/unlock', kid)).toBe(true);
    expect(confined('GET', '/api/profiles', undefined)).toBe(true);
    expect(confined('GET', '/api/titles/t-1', undefined)).toBe(true);
    expect(confined('POST', '/api/playback/s-1/heartbeat', undefined)).toBe(true);
    expect(confined('GET', '/api/profiles/p-adult/list', adult)).toBe(false);
    expect(confined('PATCH', '/api/profiles/p-kid', kid)).toBe(false);
    expect(confined('DELETE', '/api/profiles/p-kid', kid)).toBe(false);
    expect(confined('POST', '/api/profiles', undefined)).toBe(false);
    expect(confined('GET', '/api/account', undefined)).toBe(false);
    expect(confined('GET', '/api/admin/titles', undefined)).toBe(false);
  });

  it('reads the confinement only where it can change the answer', () => {
    expect(needsConfinement('GET', '/api/titles/t-1', false)).toBe(false);
    expect(needsConfinement('POST', '/api/playback/s-1/heartbeat', false)).toBe(false);
    expect(needsConfinement('GET', '/api/profiles', false)).toBe(false);
    expect(needsConfinement('GET', '/api/account', false)).toBe(true);
    expect(needsConfinement('GET', '/api/titles/t-1', true)).toBe(true);
  });
});
