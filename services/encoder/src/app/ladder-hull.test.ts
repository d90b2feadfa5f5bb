import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HULL_OPTIONS,
  planHullLadder,
  prefersSmallerPictures,
  qualityAt,
  rateFor,
  referenceTopKbps,
  targetFor,
  upperHull,
  type ProbePoint,
} from './ladder-hull.js';

const SIZES: Record<string, [number, number]> = {
  '720p': [1280, 720],
  '480p': [854, 480],
  '360p': [640, 360],
  '240p': [426, 240],
};

/** A size's probes: [kbps, SSIM] pairs, each spending its target unless a third value says what it spent. */
const at = (name: string, ...points: ([number, number] | [number, number, number])[]): ProbePoint[] =>
  points.map(([targetKbps, quality, kbps]) => ({
    width: SIZES[name]![0],
    height: SIZES[name]![1],
    targetKbps,
    kbps: kbps ?? targetKbps,
    quality,
  }));

const plan = (probes: ProbePoint[], options = DEFAULT_HULL_OPTIONS) =>
  planHullLadder({ width: 1280, height: 720, fps: 30, probes }, options);

const CAP_720P = referenceTopKbps(1280 * 720, 30);
const curveOf = (probes: ProbePoint[], height: number) =>
  upperHull(probes.filter((p) => p.height === height));

// A typical title: each size saturates lower; smaller sizes win at low rates; still rising at the top.
const typical = [
  ...at('720p', [300, 0.88], [600, 0.93], [1200, 0.962], [2400, 0.982], [4800, 0.993]),
  ...at('480p', [185, 0.88], [370, 0.925], [740, 0.952], [1480, 0.966], [2950, 0.972]),
  ...at('360p', [130, 0.885], [260, 0.92], [520, 0.94], [1040, 0.95], [2080, 0.953]),
  ...at('240p', [80, 0.87], [160, 0.9], [320, 0.914], [640, 0.918], [1280, 0.919]),
];

// A talking head: every encode near transparent, 16 × the bits buy 0.002.
const flat = [
  ...at('720p', [300, 0.9972], [600, 0.998], [1200, 0.9986], [2400, 0.9989], [4800, 0.999]),
  ...at('480p', [185, 0.9962], [370, 0.997], [740, 0.9974], [1480, 0.9975], [2950, 0.9975]),
  ...at('360p', [130, 0.995], [260, 0.9958], [520, 0.9961], [1040, 0.9962], [2080, 0.9962]),
  ...at('240p', [80, 0.993], [160, 0.9938], [320, 0.994], [640, 0.994], [1280, 0.994]),
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

  it('maps a spent rate to the target that spent it, in log rate between probes', () => {
    // Screen content: asked 4800, spent 900; asked 1200, spent 600.
    const curve = upperHull(at('720p', [600, 0.99, 400], [1200, 0.995, 600], [4800, 0.999, 900]));
    expect(targetFor(curve, 600)).toBeCloseTo(1200, 6);
    expect(targetFor(curve, Math.sqrt(600 * 900))).toBeCloseTo(Math.sqrt(1200 * 4800), 6);
    expect(targetFor(curve, 200)).toBeCloseTo(300, 6); // below: the cheapest probe's ratio
    expect(targetFor(curve, 2000)).toBe(4800); // above: the best probe's target
  });
});

const TOLERANT = { ...DEFAULT_HULL_OPTIONS, topTolerance: 0.0005 };

describe('planHullLadder: the top rung', () => {
  it("is never worse than a fixed top rung: the source size at its best probe's rate, capped at the fixed top's", () => {
    for (const probes of [typical, flat]) {
      const top = plan(probes)![0]!;
      expect(top.name).toBe('720p');
      // The best probe asked 4800, above the 720p reference (4795): the cap holds.
      expect(top.bitrateKbps).toBe(Math.round(CAP_720P));
    }
  });

  it('with a tolerance: the cheapest rate within it of the best probe, never worse by more', () => {
    for (const probes of [typical, flat]) {
      const top = plan(probes, TOLERANT)![0]!;
      const curve = curveOf(probes, 720);
      const best = curve[curve.length - 1]!.quality;
      expect(qualityAt(curve, top.bitrateKbps)!).toBeGreaterThanOrEqual(best - TOLERANT.topTolerance - 1e-4);
      // The cheapest such: a tenth less would fall short of the tolerance.
      expect(qualityAt(curve, top.bitrateKbps * 0.9)!).toBeLessThan(best - TOLERANT.topTolerance);
    }
    // flat: 0.9985 (best 0.999 − 0.0005) between 600 (0.998) and 1200 (0.9986): 600 × 2^(5/6) ≈ 1069.
    expect(plan(flat, TOLERANT)![0]!.bitrateKbps).toBe(Math.round(600 * 2 ** (5 / 6)));
    // typical: 0.9925 between 2400 (0.982) and 4800 (0.993): 2400 × 2^(10.5/11) ≈ 4647.
    expect(plan(typical, TOLERANT)![0]!.bitrateKbps).toBe(Math.round(2400 * 2 ** (10.5 / 11)));
    expect(plan(flat, { ...DEFAULT_HULL_OPTIONS, topTolerance: 0.001 })![0]!.bitrateKbps).toBe(600);
  });

  it('sets the target that spent the chosen rate when the picture takes less than asked', () => {
    // Asked 4800 spent 900, asked 2400 spent 850: the top (within 0.0005 of 0.999 ≈ 850 spent) asks ≈ 2400.
    const screen = at('720p', [600, 0.99, 500], [1200, 0.995, 700], [2400, 0.9985, 850], [4800, 0.999, 900]);
    expect(rateFor(upperHull(screen), 0.9985)!).toBeCloseTo(850, 6);
    expect(plan(screen, TOLERANT)![0]!.bitrateKbps).toBe(2400);
    // Without a tolerance: the best probe spent 900 when asked 4800, capped at the reference.
    expect(plan(screen)![0]!.bitrateKbps).toBe(Math.round(CAP_720P));
  });
});

describe('planHullLadder: the rungs below', () => {
  it('spaces rungs the spacing apart, each the best size at its rate, sizes never growing, none below the bottom', () => {
    for (const probes of [typical, flat]) {
      const rungs = plan(probes)!;
      expect(rungs.length).toBeGreaterThan(3);
      for (let i = 1; i < rungs.length; i += 1) {
        const ratio = rungs[i - 1]!.bitrateKbps / rungs[i]!.bitrateKbps;
        expect(ratio).toBeGreaterThan(DEFAULT_HULL_OPTIONS.spacing - 0.01);
        expect(rungs[i]!.height).toBeLessThanOrEqual(rungs[i - 1]!.height);
        expect(rungs[i]!.bitrateKbps).toBeGreaterThanOrEqual(DEFAULT_HULL_OPTIONS.bottomKbps);
      }
      // The envelope: no size up to the rung above's beats the chosen one at a rung's rate.
      rungs.slice(1).forEach((rung, i) => {
        const chosen = qualityAt(curveOf(probes, rung.height), rung.bitrateKbps)!;
        for (const [, h] of Object.values(SIZES)) {
          if (h > rungs[i]!.height) continue;
          const q = qualityAt(curveOf(probes, h), rung.bitrateKbps);
          if (q !== undefined) expect(chosen).toBeGreaterThanOrEqual(q - 1e-9);
        }
      });
      expect(new Set(rungs.map((r) => r.name)).size).toBe(rungs.length);
      expect(rungs.every((r) => r.maxrateKbps === Math.round(r.bitrateKbps * 1.5))).toBe(true);
      expect(rungs.every((r) => r.bufsizeKbps === r.bitrateKbps * 2 && r.level > 0)).toBe(true);
    }
  });

  it('keeps the top size while it is the best picture, one rung per rate, named by rate after the first', () => {
    // Sharp content: 720p beats 480p at every rate 480p was probed at, down to 600 kbit/s.
    const sharp = [
      ...at('720p', [600, 0.96], [1200, 0.98], [2400, 0.99], [4800, 0.995]),
      ...at('480p', [300, 0.95], [600, 0.955], [1200, 0.96], [2400, 0.962]),
      ...at('240p', [80, 0.9], [160, 0.93], [320, 0.94]),
    ];
    const rungs = plan(sharp)!;
    expect(rungs.map((r) => r.height)).toEqual([720, 720, 720, 720, 720, 480, 240, 240]);
    // Names and directories are per rung: the first of a size is its class, the rest say their rate.
    expect(rungs.map((r) => r.name)).toEqual(
      rungs.map((r, i) =>
        i === 0 || rungs[i - 1]!.height !== r.height ? `${r.height}p` : `${r.height}p-${r.bitrateKbps}k`,
      ),
    );
  });

  it('skips a size the hull does not choose: a blurry 480p loses to 360p at its rate', () => {
    const probes = [
      ...at('720p', [800, 0.95], [1600, 0.97], [3200, 0.975]),
      ...at('480p', [500, 0.9], [1000, 0.91]),
      ...at('360p', [200, 0.9], [450, 0.94], [900, 0.95]),
    ];
    const rungs = plan(probes)!;
    expect(rungs.some((r) => r.height === 480)).toBe(false);
    expect(rungs.some((r) => r.height === 360)).toBe(true);
  });

  it('gives a saturated size no more than the rate that reached its best', () => {
    const probes = [
      ...at('720p', [300, 0.98], [600, 0.985], [1200, 0.99]),
      ...at('480p', [150, 0.97], [300, 0.97]),
    ];
    // The top is 1200; 1.5× below (800) 720p is best (0.987), then 533 (0.984); at ≈ 355 720p still
    // wins (0.9813); at 237 only 480p was probed, saturated since 150: it spends 150.
    expect(plan(probes)!.map((r) => [r.height, r.bitrateKbps])).toEqual([
      [720, 1200],
      [720, 800],
      [720, 533],
      [720, 356],
      [480, 150],
    ]);
  });

  it('of sizes within the size tolerance at a rate, takes the largest', () => {
    const probes = [
      ...at('720p', [1000, 0.99], [2000, 0.995], [4000, 0.997]),
      ...at('480p', [300, 0.98], [600, 0.9875], [1200, 0.99]),
      ...at('360p', [200, 0.98], [400, 0.9865], [800, 0.989]),
    ];
    const heights = (options: typeof DEFAULT_HULL_OPTIONS) => plan(probes, options)!.map((r) => r.height);
    // At ≈ 613 kbit/s (below 720p's probes) 360p scores 0.9880, 480p 0.9876: 360p takes it on the
    // envelope, 480p with a tolerance of 0.001.
    expect(heights(DEFAULT_HULL_OPTIONS)).toEqual([720, 720, 720, 480, 360, 360, 360, 360]);
    expect(heights({ ...DEFAULT_HULL_OPTIONS, sizeTolerance: 0.001 })).toEqual([
      720, 720, 720, 480, 480, 360, 360, 360,
    ]);
  });

  it('spreads the rungs wider than the spacing when the rungs left would stop above the bottom', () => {
    const probes = [
      ...at('720p', [1000, 0.97], [2000, 0.985], [4000, 0.995]),
      ...at('480p', [100, 0.9], [400, 0.95], [1600, 0.97]),
      ...at('240p', [50, 0.9], [200, 0.93], [800, 0.94]),
    ];
    // Three rungs below a 4000 kbit/s top: 1.5 × steps would end at 1185; (4000 / 150)^(1/3) ≈ 2.99 × reach 150.
    const rungs = plan(probes, { ...DEFAULT_HULL_OPTIONS, maxRungs: 4 })!;
    expect(rungs).toHaveLength(4);
    expect(rungs[1]!.bitrateKbps).toBe(Math.round(4000 / Math.cbrt(4000 / 150)));
    expect(rungs[3]!.bitrateKbps).toBe(150);
  });

  it('ends the ladder when the rung above is within the spacing of the bottom', () => {
    const probes = [...at('720p', [100, 0.99], [200, 0.995]), ...at('480p', [60, 0.98], [120, 0.99])];
    // The top lands at 200 (< 1.5 × 150): no rung below it.
    expect(plan(probes)!.map((r) => r.name)).toEqual(['720p']);
  });

  it('works from one probe point: one rung at its rate (at least the bottom)', () => {
    const rungs = plan(at('720p', [90, 0.999]))!;
    expect(rungs).toHaveLength(1);
    expect(rungs[0]!.bitrateKbps).toBe(DEFAULT_HULL_OPTIONS.bottomKbps);
  });

  it('at most maxRungs', () => {
    expect(plan(typical, { ...DEFAULT_HULL_OPTIONS, maxRungs: 3 })).toHaveLength(3);
    expect(plan(typical, { ...DEFAULT_HULL_OPTIONS, maxRungs: 1 })).toHaveLength(1);
  });
});

describe('planHullLadder declines', () => {
  it('a title where a smaller picture scores above the top size (grain): the caller keeps the heuristic', () => {
    const grain = [
      ...at('720p', [600, 0.8], [1200, 0.83], [2400, 0.85], [4800, 0.855]),
      ...at('480p', [370, 0.9], [740, 0.93], [1480, 0.94]),
      ...at('240p', [80, 0.96], [160, 0.975], [320, 0.98]),
    ];
    expect(prefersSmallerPictures([curveOf(grain, 720), curveOf(grain, 480)])).toBe(true);
    expect(plan(grain)).toBeUndefined();
    expect(prefersSmallerPictures([720, 480, 360, 240].map((h) => curveOf(typical, h)))).toBe(false);
  });

  it('when no probe point matches a rung size', () => {
    expect(plan([{ width: 100, height: 100, targetKbps: 100, kbps: 100, quality: 0.9 }])).toBeUndefined();
    expect(plan([])).toBeUndefined();
  });
});
