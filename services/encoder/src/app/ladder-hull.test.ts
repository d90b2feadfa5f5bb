import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HULL_OPTIONS,
  planHullLadder,
  qualityAt,
  rateFor,
  referenceTopKbps,
  upperHull,
  type ProbePoint,
} from './ladder-hull.js';

const SIZES: Record<string, [number, number]> = {
  '720p': [1280, 720],
  '480p': [854, 480],
  '360p': [640, 360],
  '240p': [426, 240],
};

/** A size's probes: [kbps, SSIM] pairs. */
const at = (name: string, ...pairs: [number, number][]): ProbePoint[] =>
  pairs.map(([kbps, quality]) => ({ width: SIZES[name]![0], height: SIZES[name]![1], kbps, quality }));

const plan = (probes: ProbePoint[], options = DEFAULT_HULL_OPTIONS) =>
  planHullLadder({ width: 1280, height: 720, fps: 30, probes }, options);

// A typical title: each size saturates lower; smaller sizes win at low rates.
const typical = [
  ...at('720p', [400, 0.9], [900, 0.955], [2000, 0.982], [4500, 0.993]),
  ...at('480p', [250, 0.905], [550, 0.95], [1200, 0.968], [2600, 0.972]),
  ...at('360p', [150, 0.9], [320, 0.935], [700, 0.95], [1500, 0.953]),
  ...at('240p', [80, 0.87], [170, 0.9], [350, 0.915], [700, 0.918]),
];

describe('upperHull and the curve lookups', () => {
  it('drops a point under the chord of its neighbours and one that costs more for no more quality', () => {
    const hull = upperHull([
      { kbps: 100, quality: 0.9 },
      { kbps: 200, quality: 0.91 }, // under the chord from 100 to 400
      { kbps: 400, quality: 0.95 },
      { kbps: 800, quality: 0.95 }, // no gain
    ]);
    expect(hull.map((p) => p.kbps)).toEqual([100, 400]);
  });

  it('interpolates in log rate, holds the best probe above it, and knows nothing below the cheapest', () => {
    const curve = [
      { kbps: 100, quality: 0.9 },
      { kbps: 400, quality: 0.96 },
    ];
    expect(qualityAt(curve, 200)).toBeCloseTo(0.93, 6);
    expect(qualityAt(curve, 1000)).toBe(0.96);
    expect(qualityAt(curve, 50)).toBeUndefined();
    expect(rateFor(curve, 0.93)).toBeCloseTo(200, 6);
    expect(rateFor(curve, 0.8)).toBe(100);
    expect(rateFor(curve, 0.97)).toBeUndefined();
  });
});

describe('planHullLadder', () => {
  it('tops at the source size, at the rate reaching the lower of saturation and the fixed top', () => {
    const rungs = plan(typical)!;
    expect(rungs[0]!.name).toBe('720p');
    // The fixed top (4795 kbit/s at 720p) would reach ≈ 0.9934, extrapolated past the best probe: the
    // target; no probe reaches it, so the top spends the fixed top's rate, never more.
    expect(rungs[0]!.bitrateKbps).toBe(Math.round(referenceTopKbps(1280 * 720, 30)));
  });

  it('stops at saturation: a title that reaches the saturation quality cheaply gets a cheap top rung', () => {
    const easy = [
      ...at('720p', [150, 0.99], [300, 0.996], [600, 0.998]),
      ...at('480p', [100, 0.99], [200, 0.994], [400, 0.995]),
    ];
    const rungs = plan(easy, { ...DEFAULT_HULL_OPTIONS, saturationQuality: 0.995 })!;
    expect(rungs[0]!.name).toBe('720p');
    expect(rungs[0]!.bitrateKbps).toBeGreaterThan(150);
    expect(rungs[0]!.bitrateKbps).toBeLessThan(300);
  });

  it('aims the top at what the fixed top rung would reach when that is below saturation', () => {
    // Still rising at the best probe: the target is what the fixed top would reach, so the top pays its rate.
    const flattening = at('720p', [1000, 0.95], [2000, 0.96]);
    const rungs = plan(flattening)!;
    expect(rungs[0]!.bitrateKbps).toBe(Math.round(referenceTopKbps(1280 * 720, 30)));
    // Saturated well below the fixed top: the rate that reached it.
    const saturated = at('720p', [300, 0.9985], [600, 0.9995], [1200, 0.9995]);
    expect(plan(saturated)![0]!.bitrateKbps).toBeLessThan(600);
  });

  it('spaces rungs at least the spacing ratio apart, each the best size at its rate, sizes falling, none below the bottom', () => {
    const rungs = plan(typical)!;
    for (let i = 1; i < rungs.length; i += 1) {
      const ratio = rungs[i - 1]!.bitrateKbps / rungs[i]!.bitrateKbps;
      expect(ratio).toBeGreaterThan(DEFAULT_HULL_OPTIONS.spacing - 0.01);
      expect(rungs[i]!.height).toBeLessThan(rungs[i - 1]!.height);
      expect(rungs[i]!.bitrateKbps).toBeGreaterThanOrEqual(DEFAULT_HULL_OPTIONS.bottomKbps);
    }
    // Dominance: no size below the rung above beats the chosen one at a rung's rate.
    const curve = (height: number) => upperHull(typical.filter((p) => p.height === height));
    rungs.slice(1).forEach((rung, i) => {
      const chosen = qualityAt(curve(rung.height), rung.bitrateKbps)!;
      for (const [, h] of Object.values(SIZES)) {
        if (h >= rungs[i]!.height) continue;
        const q = qualityAt(curve(h), rung.bitrateKbps);
        if (q !== undefined) expect(chosen).toBeGreaterThanOrEqual(q);
      }
    });
    expect(new Set(rungs.map((r) => r.name)).size).toBe(rungs.length);
    expect(rungs.every((r) => r.maxrateKbps === Math.round(r.bitrateKbps * 1.5))).toBe(true);
    expect(rungs.every((r) => r.level > 0)).toBe(true);
  });

  it('skips a size the hull does not choose: a blurry 480p loses to 360p at its rate', () => {
    const probes = [
      ...at('720p', [800, 0.95], [1600, 0.97], [3200, 0.98]),
      ...at('480p', [500, 0.9], [1000, 0.91]),
      ...at('360p', [200, 0.9], [450, 0.94], [900, 0.95]),
    ];
    const rungs = plan(probes, { ...DEFAULT_HULL_OPTIONS, saturationQuality: 0.97 })!;
    // At 889 kbit/s 360p (0.95, but it reached that at 900: 889 is on its hull) beats 480p (0.91).
    expect(rungs.map((r) => r.name)).toEqual(['720p', '360p']);
    expect(rungs[0]!.bitrateKbps).toBe(1600);
  });

  it('works from one probe point: one rung at its rate (at least the bottom)', () => {
    const rungs = plan(at('720p', [90, 0.999]))!;
    expect(rungs).toHaveLength(1);
    expect(rungs[0]!.bitrateKbps).toBe(DEFAULT_HULL_OPTIONS.bottomKbps);
  });

  it('works from two points, and from a flat curve (more bits, no more quality)', () => {
    const two = plan(at('720p', [500, 0.95], [1000, 0.96]))!;
    expect(two[0]!.name).toBe('720p');
    // The target (0.995) is above the best probe: the fixed top's rate.
    expect(two[0]!.bitrateKbps).toBe(Math.round(referenceTopKbps(1280 * 720, 30)));
    const flat = plan([
      ...at('720p', [300, 0.98], [600, 0.98], [1200, 0.98]),
      ...at('480p', [150, 0.97], [300, 0.97]),
    ])!;
    // Nothing more to gain above 300 kbit/s: the top spends 300; 480p's best was reached at 150, so
    // the rung 1.8× below (167) spends only that.
    expect(flat.map((r) => [r.name, r.bitrateKbps])).toEqual([
      ['720p', 300],
      ['480p', 150],
    ]);
  });

  it('one rung per size, at most maxRungs', () => {
    const probes = [...at('720p', [3000, 0.95], [6000, 0.97]), ...at('480p', [2000, 0.93])];
    expect(plan(probes)!.map((r) => r.name)).toEqual(['720p', '480p']);
    expect(plan(probes, { ...DEFAULT_HULL_OPTIONS, maxRungs: 1 })).toHaveLength(1);
  });

  it('gives nothing when no probe matches a rung size', () => {
    expect(plan([{ width: 100, height: 100, kbps: 100, quality: 0.9 }])).toBeUndefined();
    expect(plan([])).toBeUndefined();
  });
});
