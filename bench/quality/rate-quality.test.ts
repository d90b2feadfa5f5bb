import { describe, expect, it } from 'vitest';
import { rateQualitySvg } from './chart.js';
import { bdRate, rateAtQuality, upperHull } from './rate-quality.js';

describe('upperHull', () => {
  it('keeps the points no blend of two others beats, in rate order', () => {
    const points = [
      { kbps: 400, quality: 0.9 },
      { kbps: 800, quality: 0.93 }, // under the chord 400→1600 in log rate: off the hull
      { kbps: 1600, quality: 0.97 },
      { kbps: 3200, quality: 0.975 },
      { kbps: 3000, quality: 0.96 }, // costs more than 1600 and gives less
      { kbps: 200, quality: 0.8 },
    ];
    expect(upperHull(points).map((p) => p.kbps)).toEqual([200, 400, 1600, 3200]);
  });

  it('drops a point that costs more for no more quality, and ignores empty rates', () => {
    expect(
      upperHull([
        { kbps: 100, quality: 0.9 },
        { kbps: 200, quality: 0.9 },
        { kbps: 0, quality: 1 },
      ]).map((p) => p.kbps),
    ).toEqual([100]);
    expect(upperHull([])).toEqual([]);
  });
});

describe('bdRate', () => {
  const reference = [
    { kbps: 250, quality: 0.85 },
    { kbps: 500, quality: 0.9 },
    { kbps: 1000, quality: 0.94 },
    { kbps: 2000, quality: 0.97 },
  ];

  it('is zero for the same curve and −x for a curve needing (1−x) of the bits everywhere', () => {
    expect(bdRate(reference, reference)).toBeCloseTo(0, 10);
    const cheaper = reference.map((p) => ({ ...p, kbps: p.kbps * 0.7 }));
    expect(bdRate(reference, cheaper)).toBeCloseTo(-0.3, 6);
    const dearer = reference.map((p) => ({ ...p, kbps: p.kbps * 1.25 }));
    expect(bdRate(reference, dearer)).toBeCloseTo(0.25, 6);
  });

  it('averages over the shared quality range only', () => {
    // The test curve covers only the upper half of the range, and there it is 0.5× the rate.
    const upper = reference.slice(2).map((p) => ({ ...p, kbps: p.kbps * 0.5 }));
    expect(bdRate(reference, upper)).toBeCloseTo(-0.5, 6);
  });

  it('is undefined without a shared range or with a single point', () => {
    expect(
      bdRate(reference, [
        { kbps: 100, quality: 0.5 },
        { kbps: 200, quality: 0.6 },
      ]),
    ).toBeUndefined();
    expect(bdRate(reference, [{ kbps: 100, quality: 0.9 }])).toBeUndefined();
  });
});

describe('rateAtQuality', () => {
  const hull = [
    { kbps: 100, quality: 0.8 },
    { kbps: 400, quality: 0.9 },
  ];
  it('interpolates log rate on the hull and says when the quality is out of reach', () => {
    expect(rateAtQuality(hull, 0.85)).toBeCloseTo(200, 6);
    expect(rateAtQuality(hull, 0.7)).toBe(100);
    expect(rateAtQuality(hull, 0.95)).toBeUndefined();
  });
});

describe('rateQualitySvg', () => {
  it('draws every rung as a dot and each hull as a line, with a legend', () => {
    const svg = rateQualitySvg('animation', 'SSIM', [
      {
        label: 'fixed',
        colour: '#888',
        points: [
          { name: '360p', kbps: 365, quality: 0.9 },
          { name: '720p', kbps: 3000, quality: 0.97 },
        ],
      },
      { label: 'marquee', colour: '#c00', points: [{ name: '720p', kbps: 1200, quality: 0.96 }] },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<circle cx/g)).toHaveLength(3 + 2);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('>marquee</text>');
    expect(svg).not.toContain('NaN');
  });
});
