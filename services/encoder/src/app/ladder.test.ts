import { describe, expect, it } from 'vitest';
import { avcHighCodecs, h264Level, levelName } from './h264-level.js';
import { bitrateCapKbps, candidateSizes, ladderSizes, planLadder, rungAt } from './ladder.js';

const HUGE = 1_000_000; // a probe so complex that every rung hits its cap
const plan = (width: number, height: number, probeBitrateKbps = HUGE, fps = 30) =>
  planLadder({ width, height, fps, probeBitrateKbps, probePixels: 960 * 540 });

describe('ladderSizes', () => {
  it('gives a 1080p source every standard rung from 1080p down, never above the source', () => {
    expect(ladderSizes(1920, 1080).map((s) => `${s.name} ${s.width}x${s.height}`)).toEqual([
      '1080p 1920x1080',
      '720p 1280x720',
      '480p 854x480',
      '360p 640x360',
      '240p 426x240',
    ]);
  });

  it('gives a 4K source seven rungs', () => {
    expect(ladderSizes(3840, 2160).map((s) => s.name)).toEqual([
      '2160p',
      '1440p',
      '1080p',
      '720p',
      '480p',
      '360p',
      '240p',
    ]);
  });

  it('keeps a scope film at its full width in the 1080p class', () => {
    const sizes = ladderSizes(1920, 800);
    expect(sizes[0]).toEqual({ name: '1080p', width: 1920, height: 800 });
    expect(sizes[1]).toEqual({ name: '720p', width: 1280, height: 534 });
  });

  it('uses rotated boxes for portrait video', () => {
    const sizes = ladderSizes(1080, 1920);
    expect(sizes[0]).toEqual({ name: '1080p', width: 1080, height: 1920 });
    expect(sizes.at(-1)).toEqual({ name: '240p', width: 240, height: 426 });
  });

  it('gives a tiny source exactly one rung at its own (even) size', () => {
    expect(ladderSizes(201, 113)).toEqual([{ name: '112p', width: 200, height: 112 }]);
  });

  it('adds the source size above the best standard rung when it is clearly larger', () => {
    expect(ladderSizes(500, 300).map((s) => `${s.width}x${s.height}`)).toEqual(['500x300', '400x240']);
    // 730 lines is not enough above 720 to be worth a rung of its own.
    expect(ladderSizes(1280, 730).map((s) => s.name)).toEqual(['720p', '480p', '360p', '240p']);
  });

  it('only produces even dimensions', () => {
    for (const [w, h] of [
      [853, 479],
      [1917, 1079],
      [711, 401],
    ] as const) {
      for (const s of ladderSizes(w, h)) {
        expect(s.width % 2).toBe(0);
        expect(s.height % 2).toBe(0);
        expect(s.height).toBeLessThanOrEqual(h);
        expect(s.width).toBeLessThanOrEqual(w);
      }
    }
  });
});

describe("candidateSizes (the hull ladder's)", () => {
  it('adds the in-between boxes below the top, largest first, never above the source', () => {
    expect(candidateSizes(1280, 720).map((s) => `${s.name} ${s.width}x${s.height}`)).toEqual([
      '720p 1280x720',
      '540p 960x540',
      '480p 854x480',
      '432p 768x432',
      '360p 640x360',
      '240p 426x240',
    ]);
    expect(
      candidateSizes(1920, 1080)
        .map((s) => s.name)
        .slice(0, 3),
    ).toEqual(['1080p', '900p', '720p']);
    expect(candidateSizes(640, 360).map((s) => s.name)).toEqual(['360p', '240p']);
  });

  it("keeps a portrait or scope source's aspect in the in-between sizes", () => {
    expect(candidateSizes(1080, 1920).find((s) => s.name === '540p')).toEqual({
      name: '540p',
      width: 540,
      height: 960,
    });
    expect(candidateSizes(1920, 800).find((s) => s.name === '540p')).toEqual({
      name: '540p',
      width: 960,
      height: 400,
    });
  });
});

describe('rungAt', () => {
  it('gives a rung the VBV every rung gets and its level', () => {
    const rung = rungAt({ name: '720p', width: 1280, height: 720 }, 2999.6, 30);
    expect(rung).toMatchObject({ bitrateKbps: 3000, maxrateKbps: 4500, bufsizeKbps: 6000 });
    expect(rung.level).toBe(h264Level(1280, 720, 30, 4500));
  });
});

describe('planLadder', () => {
  it('caps a complex title at the standard ladder', () => {
    const rungs = plan(1920, 1080);
    expect(rungs.map((r) => r.bitrateKbps)).toEqual(
      rungs.map((r) => Math.round(bitrateCapKbps(r.width * r.height, 30))),
    );
    expect(rungs[0]!.bitrateKbps).toBe(6000);
  });

  it('gives a simple title fewer bits, but never less than a fifth of the cap', () => {
    const simple = plan(1920, 1080, 300);
    const capped = plan(1920, 1080);
    simple.forEach((r, i) => {
      expect(r.bitrateKbps).toBeLessThan(capped[i]!.bitrateKbps);
      expect(r.bitrateKbps).toBeGreaterThanOrEqual(Math.floor(capped[i]!.bitrateKbps * 0.2));
    });
  });

  it('scales the probe by pixels^0.75 between the floor and the cap', () => {
    const [, r720] = plan(1920, 1080, 1000);
    const expected = 1000 * ((1280 * 720) / (960 * 540)) ** 0.75;
    expect(r720!.bitrateKbps).toBe(Math.round(expected));
  });

  it('decreases bit rate down the ladder and sets VBV from it', () => {
    const rungs = plan(1920, 1080, 2500);
    for (let i = 1; i < rungs.length; i += 1)
      expect(rungs[i]!.bitrateKbps).toBeLessThan(rungs[i - 1]!.bitrateKbps);
    for (const r of rungs) {
      expect(r.maxrateKbps).toBe(Math.round(r.bitrateKbps * 1.5));
      expect(r.bufsizeKbps).toBe(r.bitrateKbps * 2);
    }
  });

  it('allows more bits at 60 fps than at 30', () => {
    expect(plan(1280, 720, HUGE, 60)[0]!.bitrateKbps).toBeGreaterThan(
      plan(1280, 720, HUGE, 30)[0]!.bitrateKbps,
    );
  });
});

describe('h264Level', () => {
  it('picks the lowest level that fits size, rate and peak bit rate', () => {
    expect(h264Level(426, 240, 30, 500)).toBe(30);
    expect(h264Level(1280, 720, 30, 5000)).toBe(31);
    expect(h264Level(1280, 720, 60, 5000)).toBe(32);
    expect(h264Level(1920, 1080, 30, 9000)).toBe(40);
    expect(h264Level(1920, 1080, 30, 30_000)).toBe(41);
    expect(h264Level(1920, 1080, 60, 9000)).toBe(42);
    expect(h264Level(3840, 2160, 30, 25_000)).toBe(51);
    expect(h264Level(3840, 2160, 60, 25_000)).toBe(52);
  });

  it('formats level names and RFC 6381 codecs strings', () => {
    expect(levelName(40)).toBe('4.0');
    expect(levelName(31)).toBe('3.1');
    expect(avcHighCodecs(40)).toBe('avc1.640028');
    expect(avcHighCodecs(30)).toBe('avc1.64001e');
  });
});
