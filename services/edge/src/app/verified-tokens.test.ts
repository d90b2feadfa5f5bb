import { describe, expect, it } from 'vitest';
import { createMediaKeyring } from '@marquee/core';
import { VerifiedTokens } from './verified-tokens.js';

describe('VerifiedTokens', () => {
  const keys = createMediaKeyring({ secret: 'v'.repeat(40) });
  const start = Date.UTC(2026, 10, 21);

  it('answers like the keyring, including expiry of a remembered token', () => {
    let now = start;
    const tokens = new VerifiedTokens(keys, 10, () => now);
    const token = keys.sign({ asset: 'a', session: 's', maxHeight: 720, exp: start / 1000 + 60 }, start);
    expect(tokens.verify(token)).toMatchObject({ ok: true, payload: { asset: 'a' } });
    expect(tokens.verify(token)).toMatchObject({ ok: true }); // remembered
    now = start + 60_000;
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.verify(`${token.slice(0, -1)}A`)).toMatchObject({ ok: false });
  });

  it('stays bounded', () => {
    const tokens = new VerifiedTokens(keys, 3, () => start);
    const all = Array.from({ length: 5 }, (_, i) =>
      keys.sign({ asset: `a${i}`, session: 's', maxHeight: 0, exp: start / 1000 + 60 }, start),
    );
    for (const t of all) expect(tokens.verify(t).ok).toBe(true);
    expect((tokens as unknown as { valid: Map<string, unknown> }).valid.size).toBe(3);
  });
});
