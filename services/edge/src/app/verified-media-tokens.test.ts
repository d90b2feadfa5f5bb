import { describe, expect, it } from 'vitest';
import { createMediaKeyring } from '@marquee/core';
import { RevokedSessions } from './revoked-sessions.js';
import { VerifiedMediaTokens } from './verified-media-tokens.js';

describe('VerifiedMediaTokens', () => {
  const keys = createMediaKeyring({ secret: 'v'.repeat(40) });
  const start = Date.UTC(2026, 10, 21);

  it('answers like the keyring, including expiry of a remembered token', () => {
    let now = start;
    const tokens = new VerifiedMediaTokens(keys, undefined, 10, () => now);
    const token = keys.sign({ asset: 'a', session: 's', maxHeight: 720, exp: start / 1000 + 60 }, start);
    expect(tokens.verify(token)).toMatchObject({ ok: true, payload: { asset: 'a' } });
    expect(tokens.verify(token)).toMatchObject({ ok: true }); // remembered
    now = start + 60_000;
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.verify(`${token.slice(0, -1)}A`)).toMatchObject({ ok: false });
  });

  it('refuses a valid token, remembered or not, once its session has ended', () => {
    const revoked = new RevokedSessions(3_600_000, 10, () => start);
    const tokens = new VerifiedMediaTokens(keys, revoked, 10, () => start);
    const sign = (session: string) =>
      keys.sign({ asset: 'a', session, maxHeight: 720, exp: start / 1000 + 60 }, start);
    const remembered = sign('s1');
    expect(tokens.verify(remembered).ok).toBe(true);
    revoked.revoke('s1', start);
    revoked.revoke('s2', start);
    expect(tokens.verify(remembered)).toEqual({ ok: false, reason: 'session_ended' });
    expect(tokens.verify(sign('s2'))).toEqual({ ok: false, reason: 'session_ended' });
    expect(tokens.verify(sign('s3')).ok).toBe(true);
  });

  it('stays bounded', () => {
    const tokens = new VerifiedMediaTokens(keys, undefined, 3, () => start);
    const all = Array.from({ length: 5 }, (_, i) =>
      keys.sign({ asset: `a${i}`, session: 's', maxHeight: 0, exp: start / 1000 + 60 }, start),
    );
    for (const t of all) expect(tokens.verify(t).ok).toBe(true);
    expect((tokens as unknown as { valid: { size: number } }).valid.size).toBe(3);
  });
});
