import { describe, expect, it } from 'vitest';
import { dominatedRungs } from './dominated-rungs.js';
import { planLadder } from './ladder.js';

const rung = (name: string, pixels: number, peakBandwidth: number) => ({ name, pixels, peakBandwidth });

describe('dominatedRungs', () => {
  it('drops a smaller rung that came out at more bits than a larger one (the demo: 240p 116k > 360p 110k)', () => {
    const r720 = rung('720p', 1280 * 720, 400_000);
    const r360 = rung('360p', 640 * 360, 110_000);
    const r240 = rung('240p', 426 * 240, 116_000);
    expect([...dominatedRungs([r720, r360, r240])].map((r) => r.name)).toEqual(['240p']);
  });

  it('compares against the cheapest larger rung kept, and never drops the top', () => {
    const ladder = [
      rung('1080p', 1920 * 1080, 300_000),
      rung('720p', 1280 * 720, 320_000),
      rung('480p', 854 * 480, 290_000),
      rung('360p', 640 * 360, 200_000),
    ];
    expect([...dominatedRungs(ladder)].map((r) => r.name)).toEqual(['720p']);
    expect(dominatedRungs([rung('240p', 1, 5)]).size).toBe(0);
  });

  it('leaves a ladder whose rates already fall with size alone, and the kept rates strictly fall', () => {
    for (let seed = 1; seed <= 200; seed++) {
      let x = seed;
      const random = () => (x = (x * 16807) % 2147483647) / 2147483647;
      const ladder = [1920 * 1080, 1280 * 720, 854 * 480, 640 * 360, 426 * 240].map((pixels, i) =>
        rung(String(i), pixels, Math.round(50_000 + random() * 500_000)),
      );
      const dropped = dominatedRungs(ladder);
      const kept = ladder.filter((r) => !dropped.has(r)).map((r) => r.peakBandwidth);
      for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeLessThan(kept[i - 1]!);
      expect(dropped.has(ladder[0]!)).toBe(false);
    }
  });
});

describe('planLadder targets over many probe values', () => {
  it('strictly increase with rung size for every probe rate, source size and frame rate', () => {
    const sources = [
      [3840, 2160],
      [1920, 1080],
      [1920, 800],
      [1440, 1080],
      [1080, 1920],
      [640, 480],
    ] as const;
    for (const [width, height] of sources)
      for (const fps of [24, 30, 60])
        for (let probe = 20; probe <= 40_000; probe *= 1.37) {
          const ladder = planLadder({
            width,
            height,
            fps,
            probeBitrateKbps: probe,
            probePixels: 640 * 360,
          });
          for (let i = 1; i < ladder.length; i++)
            expect(ladder[i]!.bitrateKbps).toBeLessThan(ladder[i - 1]!.bitrateKbps);
        }
  });
});
