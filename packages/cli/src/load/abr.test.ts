import { describe, expect, it } from 'vitest';
import { chooseVariant, DEFAULT_ESTIMATE_BPS, ThroughputEstimator } from './abr.js';

const ladder = [400_000, 800_000, 1_600_000, 3_200_000].map((bandwidth, i) => ({
  bandwidth,
  height: [240, 360, 480, 720][i]!,
  uri: `v${i}.m3u8`,
}));

describe('rendition choice (hls.js-like)', () => {
  it('starts low, from the default estimate, before any download', () => {
    const e = new ThroughputEstimator();
    expect(e.estimate()).toBe(DEFAULT_ESTIMATE_BPS);
    expect(chooseVariant(ladder, e.estimate()).height).toBe(240);
  });

  it('switches up when measured throughput allows and down when it falls', () => {
    const e = new ThroughputEstimator();
    for (let i = 0; i < 3; i++) e.sample(4, 5_000_000, 1000); // 40 Mbit/s
    const up = chooseVariant(ladder, e.estimate(), ladder[0]);
    expect(up.height).toBe(720);
    for (let i = 0; i < 10; i++) e.sample(4, 125_000, 1000); // 1 Mbit/s
    expect(chooseVariant(ladder, e.estimate(), up).height).toBeLessThanOrEqual(360);
  });

  it('needs a wider margin to go up than to stay', () => {
    // 1.0 Mbit/s carries 800k to stay (×0.95) but not to climb to it (×0.7).
    expect(chooseVariant(ladder, 1_000_000, ladder[1]).bandwidth).toBe(800_000);
    expect(chooseVariant(ladder, 1_000_000, ladder[0]).bandwidth).toBe(400_000);
  });
});
