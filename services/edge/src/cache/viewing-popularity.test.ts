import { describe, expect, it } from 'vitest';
import { chooseVictims, PopularityReplacement, segmentOf, ViewingPopularity } from './viewing-popularity.js';

const seg = (asset: string, n: number) => `assets/${asset}/v720/seg_${String(n).padStart(5, '0')}.m4s`;

describe('segmentOf', () => {
  it('reads the asset and the segment number of a media segment', () => {
    expect(segmentOf(seg('a1', 12))).toEqual({ asset: 'a1', number: 12 });
    expect(segmentOf('assets/a1/v720/init.mp4')).toEqual({ asset: 'a1', number: undefined });
    expect(segmentOf('assets/a1/master.m3u8')).toEqual({ asset: 'a1', number: undefined });
    expect(segmentOf('posters/a1.jpg')).toBeUndefined();
  });
});

describe('ViewingPopularity', () => {
  it('ranks a title many sessions play above one played once', () => {
    const viewing = new ViewingPopularity();
    for (let s = 0; s < 5; s++) viewing.record(seg('popular', 1), `s${s}`, 0);
    viewing.record(seg('rare', 1), 'lonely', 0);
    expect(viewing.estimate(seg('popular', 1), 60_001 * 2)).toBeGreaterThan(
      viewing.estimate(seg('rare', 1), 60_001 * 2),
    );
  });

  it('counts a session once per title however many segments it fetches', () => {
    const many = new ViewingPopularity();
    for (let n = 1; n <= 10; n++) many.record(seg('a', n), 'one-session', n);
    const few = new ViewingPopularity();
    few.record(seg('a', 1), 'one-session', 0);
    // Same plays (one); segment 1 was reached by every play in both.
    expect(many.estimate(seg('a', 1), 10)).toBe(few.estimate(seg('a', 1), 0));
  });

  it('wants early segments more than late ones (fewer plays reach them)', () => {
    const viewing = new ViewingPopularity({ aheadWeight: 0 });
    for (let s = 0; s < 10; s++) {
      const watched = s < 2 ? 20 : 3; // most sessions stop early
      for (let n = 1; n <= watched; n++) viewing.record(seg('a', n), `s${s}`, n);
    }
    expect(viewing.estimate(seg('a', 2), 100)).toBeGreaterThan(viewing.estimate(seg('a', 15), 100));
  });

  it('wants what a live session is about to reach, and forgets a session gone idle', () => {
    const viewing = new ViewingPopularity({ idleMs: 1_000, lookahead: 5 });
    viewing.record(seg('a', 3), 'watching', 0);
    const behind = viewing.estimate(seg('a', 2), 10);
    const ahead = viewing.estimate(seg('a', 5), 10);
    expect(ahead).toBeGreaterThan(behind);
    expect(viewing.estimate(seg('a', 20), 10)).toBeLessThan(ahead); // beyond the lookahead
    expect(viewing.estimate(seg('a', 5), 5_000)).toBeLessThan(ahead); // the session left
  });

  it('lets old popularity fade', () => {
    const viewing = new ViewingPopularity({ halveEvery: 4, aheadWeight: 0 });
    for (let s = 0; s < 4; s++) viewing.record(seg('old', 1), `o${s}`, 0);
    const before = viewing.estimate('assets/old/master.m3u8', 0);
    for (let s = 0; s < 8; s++) viewing.record(seg('new', 1), `n${s}`, 0);
    expect(viewing.estimate('assets/old/master.m3u8', 0)).toBeLessThan(before);
  });

  it('counts nothing for requests without a session (pre-fill)', () => {
    const viewing = new ViewingPopularity();
    viewing.record(seg('a', 1), undefined, 0);
    expect(viewing.estimate(seg('a', 1), 0)).toBe(0);
    expect(viewing.liveSessions).toBe(0);
  });
});

describe('chooseVictims', () => {
  const held = [
    { key: 'cold', size: 10, score: 1 },
    { key: 'warm', size: 10, score: 5 },
    { key: 'hot', size: 10, score: 50 },
  ];

  it('evicts the least wanted first, only as much as needed', () => {
    expect(chooseVictims(10, 5, held)).toEqual(['cold']);
    expect(chooseVictims(10, 15, held)).toEqual(['cold', 'warm']);
  });

  it('leaves the newcomer out rather than evict something wanted as much', () => {
    expect(chooseVictims(5, 15, held)).toBeUndefined();
    expect(chooseVictims(1, 5, held)).toBeUndefined();
  });

  it('leaves the newcomer out when the offered objects cannot free enough', () => {
    expect(chooseVictims(100, 31, held)).toBeUndefined();
  });
});

describe('PopularityReplacement', () => {
  it('replaces a title nobody plays with one that is being played', () => {
    const viewing = new ViewingPopularity();
    let now = 0;
    const policy = new PopularityReplacement(viewing, () => now);
    viewing.record(seg('stale', 1), 'gone', now);
    now = 120_000;
    for (let s = 0; s < 3; s++) viewing.record(seg('hit', 1), `v${s}`, now);
    const held = [{ key: seg('stale', 1), size: 100 }];
    expect(policy.choose(seg('hit', 1), 50, held)).toEqual([seg('stale', 1)]);
    expect(policy.choose(seg('stale', 2), 50, [{ key: seg('hit', 1), size: 100 }])).toBeUndefined();
  });
});
