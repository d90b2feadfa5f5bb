import { describe, expect, it } from 'vitest';
import { RevokedSessions } from './revoked-sessions.js';

describe('RevokedSessions', () => {
  it('remembers a session for as long as its token can live, then forgets it', () => {
    let now = 1_000_000;
    const revoked = new RevokedSessions(60_000, 10, () => now);
    expect(revoked.has('s1')).toBe(false);
    revoked.revoke('s1', now);
    revoked.revoke('old', now - 60_000); // its tokens have all expired: nothing to keep
    expect(revoked.has('s1')).toBe(true);
    expect(revoked.has('old')).toBe(false);
    now += 60_000;
    revoked.revoke('s2', now);
    expect(revoked.has('s1')).toBe(false);
    expect(revoked.has('s2')).toBe(true);
    expect(revoked.size).toBe(1);
  });

  it('stays bounded, dropping the oldest', () => {
    const revoked = new RevokedSessions(60_000, 3, () => 0);
    for (const id of ['a', 'b', 'c', 'd']) revoked.revoke(id, 0);
    expect(['a', 'b', 'c', 'd'].map((id) => revoked.has(id))).toEqual([false, true, true, true]);
  });
});
