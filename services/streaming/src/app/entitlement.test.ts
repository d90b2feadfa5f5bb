import { describe, expect, it } from 'vitest';
import { decideEntitlement, mediaTokenLifetimeMs, type EntitlementInput } from './entitlement.js';

const ladder = [2160, 1080, 720, 480, 240].map((height) => ({
  height,
  width: Math.round((height * 16) / 9),
  bandwidth: height * 4000,
  codecs: 'avc1.640028,mp4a.40.2',
}));
const base: EntitlementInput = {
  accountId: 'acc-1',
  plan: 'premium',
  profile: { accountId: 'acc-1', maxMaturity: 'NC-17' },
  title: { maturity: 'R' },
  asset: { state: 'ready', renditions: ladder },
};

describe('decideEntitlement', () => {
  it('caps the renditions at the plan height', () => {
    const heights = (plan: EntitlementInput['plan']) => {
      const result = decideEntitlement({ ...base, plan });
      return result.ok
        ? [result.maxHeight, result.maxStreams, result.renditions.map((r) => r.height)]
        : result;
    };
    expect(heights('premium')).toEqual([2160, 4, [2160, 1080, 720, 480, 240]]);
    expect(heights('standard')).toEqual([1080, 2, [1080, 720, 480, 240]]);
    expect(heights('basic')).toEqual([720, 1, [720, 480, 240]]);
  });

  it('caps both codec families at the plan height (AV1 rungs beside the H.264 ones)', () => {
    const av1 = ladder.map((r) => ({
      ...r,
      bandwidth: r.bandwidth * 0.6,
      codecs: 'av01.0.08M.08,mp4a.40.2',
    }));
    const result = decideEntitlement({
      ...base,
      plan: 'basic',
      asset: { state: 'ready', renditions: [...ladder, ...av1] },
    });
    if (!result.ok) throw new Error(result.detail);
    const of = (prefix: string) =>
      result.renditions.filter((r) => r.codecs.startsWith(prefix)).map((r) => r.height);
    expect(of('avc1')).toEqual([720, 480, 240]);
    expect(of('av01')).toEqual([720, 480, 240]);
  });

  it('refuses another account’s profile before anything else', () => {
    const result = decideEntitlement({
      ...base,
      profile: { accountId: 'acc-2', maxMaturity: 'G' },
      asset: undefined,
    });
    expect(result).toMatchObject({ ok: false, code: 'playback.profile_not_owned' });
  });

  it('refuses a title rated above the profile', () => {
    const kids = decideEntitlement({ ...base, profile: { accountId: 'acc-1', maxMaturity: 'PG' } });
    expect(kids).toMatchObject({ ok: false, code: 'playback.maturity' });
    const pg = decideEntitlement({
      ...base,
      title: { maturity: 'PG' },
      profile: { accountId: 'acc-1', maxMaturity: 'PG' },
    });
    expect(pg.ok).toBe(true);
  });

  it('refuses an asset that is not ready, or none', () => {
    for (const asset of [
      undefined,
      { state: 'encoding' as const, renditions: [] },
      { state: 'failed' as const, renditions: [] },
    ]) {
      expect(decideEntitlement({ ...base, asset })).toMatchObject({ ok: false, code: 'playback.not_ready' });
    }
  });

  it('refuses when no rendition fits the plan', () => {
    const asset = { state: 'ready' as const, renditions: ladder.slice(0, 2) };
    expect(decideEntitlement({ ...base, plan: 'basic', asset })).toMatchObject({
      ok: false,
      code: 'playback.plan_resolution',
    });
  });
});

describe('mediaTokenLifetimeMs', () => {
  it('outlasts the title with room for pauses, within 4 h and 24 h', () => {
    expect(mediaTokenLifetimeMs(null)).toBe(4 * 3_600_000);
    expect(mediaTokenLifetimeMs(2 * 3600)).toBe(6 * 3_600_000);
    expect(mediaTokenLifetimeMs(20 * 3600)).toBe(24 * 3_600_000);
  });
});
