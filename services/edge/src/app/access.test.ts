import { describe, expect, it } from 'vitest';
import { ARTWORK_SESSION, createMediaKeyring } from '@marquee/core';
import { admitPath, admitToken } from './access.js';

const keys = createMediaKeyring({ secret: 's'.repeat(40) });
const now = Date.UTC(2026, 10, 21);
const payload = { asset: 'a1', session: 's1', maxHeight: 720, exp: now / 1000 + 600 };
const heights: Record<string, number> = { 'v1080/seg.m4s': 1080, 'v720/seg.m4s': 720, 'audio/seg.m4s': 0 };
const heightOf = (p: string) => heights[p] ?? (p.endsWith('.m4s') ? Infinity : 0);

describe('edge access', () => {
  const request = { token: '', assetId: 'a1', path: 'v720/seg.m4s' };

  it('admits a valid token for its asset only', () => {
    const check = keys.verify(keys.sign(payload, now), now);
    expect(admitToken(check, request)).toMatchObject({ ok: true, value: payload });
    expect(admitToken(check, { ...request, assetId: 'a2' })).toMatchObject({
      ok: false,
      code: 'media.asset_mismatch',
    });
  });

  it('answers expired and invalid tokens with their own codes', () => {
    const token = keys.sign(payload, now);
    expect(admitToken(keys.verify(token, now + 601_000), request)).toMatchObject({
      code: 'media.token_expired',
    });
    expect(admitToken(keys.verify(`${token}x`, now), request)).toMatchObject({ code: 'media.token_invalid' });
  });

  it('refuses renditions above the token height and unlisted media', () => {
    expect(admitPath(payload, 'v720/seg.m4s', heightOf)).toEqual({ ok: true, value: 720 });
    expect(admitPath(payload, 'audio/seg.m4s', heightOf)).toEqual({ ok: true, value: 0 });
    expect(admitPath(payload, 'v1080/seg.m4s', heightOf)).toMatchObject({
      ok: false,
      code: 'media.rendition_forbidden',
    });
    expect(admitPath(payload, 'other/x.m4s', heightOf)).toMatchObject({
      ok: false,
      code: 'media.rendition_forbidden',
    });
  });

  it('limits artwork tokens to images', () => {
    const art = { ...payload, session: ARTWORK_SESSION, maxHeight: 0 };
    expect(admitPath(art, 'poster.jpg', heightOf)).toMatchObject({ ok: true });
    expect(admitPath(art, 'audio/seg.m4s', heightOf)).toMatchObject({
      ok: false,
      code: 'media.artwork_only',
    });
    expect(admitPath(art, 'subs/en.vtt', heightOf)).toMatchObject({ ok: false, code: 'media.artwork_only' });
  });
});
