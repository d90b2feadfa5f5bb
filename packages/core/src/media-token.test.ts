import { describe, expect, it } from 'vitest';
import { createMediaKeyring, type MediaTokenPayload } from './media-token.js';

const secret = 'a'.repeat(40);
const now = Date.UTC(2026, 10, 21, 12, 0, 0);
const payload: MediaTokenPayload = {
  asset: 'asset-1',
  session: 'sess_1',
  maxHeight: 720,
  exp: now / 1000 + 3600,
};

function tamper(token: string, edit: (wire: Record<string, unknown>) => void): string {
  const [body, sig] = token.split('.') as [string, string];
  const wire = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
  edit(wire);
  return `${Buffer.from(JSON.stringify(wire)).toString('base64url')}.${sig}`;
}

describe('media tokens', () => {
  const keys = createMediaKeyring({ secret });

  it('round-trips a payload and is URL-path safe', () => {
    const token = keys.sign(payload, now);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const check = keys.verify(token, now);
    expect(check).toMatchObject({ ok: true, payload });
  });

  it('refuses a raised height, another asset or a longer expiry (signature)', () => {
    const token = keys.sign(payload, now);
    for (const edit of [
      (w: Record<string, unknown>) => void (w.h = 2160),
      (w: Record<string, unknown>) => void (w.a = 'asset-2'),
      (w: Record<string, unknown>) => void (w.e = (w.e as number) + 10),
    ]) {
      expect(keys.verify(tamper(token, edit), now)).toEqual({ ok: false, reason: 'bad_signature' });
    }
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA');
    expect(keys.verify(flipped, now)).toMatchObject({ ok: false });
  });

  it('refuses an expired token, at the second it expires', () => {
    const token = keys.sign(payload, now);
    expect(keys.verify(token, payload.exp * 1000 - 1).ok).toBe(true);
    expect(keys.verify(token, payload.exp * 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses tokens from another secret, and garbage', () => {
    const other = createMediaKeyring({ secret: 'b'.repeat(40) }).sign(payload, now);
    expect(keys.verify(other, now)).toEqual({ ok: false, reason: 'unknown_key' });
    for (const junk of ['', 'abc', 'a.b', `${'x'.repeat(2000)}.${'y'.repeat(43)}`, 'e30.' + 'A'.repeat(43)]) {
      expect(keys.verify(junk, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('rotates the derived key every period and still accepts a live token across the boundary', () => {
    const day = 24 * 3600 * 1000;
    const a = keys.sign(payload, now);
    const b = keys.sign({ ...payload, exp: (now + day) / 1000 + 60 }, now + day);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(JSON.parse(Buffer.from(a.split('.')[0]!, 'base64url').toString()).k).not.toBe(
      JSON.parse(Buffer.from(b.split('.')[0]!, 'base64url').toString()).k,
    );
    const longLived = keys.sign({ ...payload, exp: (now + day + 60_000) / 1000 }, now);
    expect(keys.verify(longLived, now + day).ok).toBe(true);
  });

  it('keeps verifying tokens of a previous secret after the secret rotates', () => {
    const old = keys.sign(payload, now);
    const rotated = createMediaKeyring({ secret: 'c'.repeat(40), previousSecrets: [secret] });
    expect(rotated.verify(old, now).ok).toBe(true);
    expect(createMediaKeyring({ secret: 'c'.repeat(40) }).verify(old, now)).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('refuses to sign beyond the maximum lifetime or with unsafe ids', () => {
    expect(() => keys.sign({ ...payload, exp: now / 1000 + 3 * 24 * 3600 }, now)).toThrow(RangeError);
    expect(() => keys.sign({ ...payload, asset: '../etc' }, now)).toThrow(RangeError);
  });
});
