import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaTools } from '../media/media-tools.js';
import { probeSource } from '../media/probe-source.js';
import { probeTitleQuality, runQualityProbe } from '../media/quality-probe-runs.js';
import { makeSource, tempDir, testMediaTools } from '../testing/media-fixtures.js';
import { decodeWholeMaster } from '../testing/output-checks.js';
import { DEFAULT_ENCODER_SETTINGS, encodeAsset, type EncodedAsset } from './encode-asset.js';
import { planComplexityProbe } from './complexity.js';
import { outputFrameRate } from './encode-args.js';
import { referenceTopKbps } from './ladder-hull.js';
import { PROBE_RATE_SHARES } from './quality-probe.js';

let tools: MediaTools;
let dir: { path: string; remove: () => Promise<void> };
let source: string;

beforeAll(async () => {
  tools = await testMediaTools();
  dir = await tempDir('hull');
  source = await makeSource(tools, dir.path, 'hull.mkv', {
    width: 854,
    height: 480,
    seconds: 5,
    audio: [{ language: 'eng' }],
    container: 'mkv',
  });
}, 300_000);
afterAll(async () => dir?.remove());

describe('the quality probe', () => {
  it('scores every rung size at every probe rate, quality rising with the rate within a size', async () => {
    const points = (await probeTitleQuality(tools, source, dir.path, DEFAULT_ENCODER_SETTINGS))!;
    // 480p, 432p, 360p, 240p × the rates.
    expect(points).toHaveLength(4 * PROBE_RATE_SHARES.length);
    for (const height of [480, 432, 360, 240]) {
      const curve = points.filter((p) => p.height === height);
      expect(curve.every((p) => p.quality > 0.5 && p.quality <= 1 && p.kbps > 0)).toBe(true);
      // In the plan's order: falling targets; what they spend and the quality fall with them.
      for (let i = 1; i < curve.length; i += 1) {
        expect(curve[i]!.targetKbps).toBeLessThan(curve[i - 1]!.targetKbps);
        expect(curve[i]!.kbps).toBeLessThan(curve[i - 1]!.kbps);
        expect(curve[i]!.quality).toBeLessThan(curve[i - 1]!.quality);
      }
    }
    expect((await readdir(dir.path)).filter((n) => n.startsWith('.quality'))).toEqual([]);
  }, 600_000);

  it('keeps the heuristic ladder when a run fails, and says why', async () => {
    const warnings: string[] = [];
    const info = await probeSource(tools, source, { limits: { wallTimeMs: 60_000 } });
    const fps = outputFrameRate(info.fpsRational);
    const workDir = join(dir.path, 'starved');
    await mkdir(workDir);
    // 64 MiB of address space: too little for x264, as 40 encoders at 1080p were for 3 GiB.
    const points = await runQualityProbe(
      { ...tools, warn: (m) => warnings.push(m) },
      info,
      planComplexityProbe(info),
      {
        sourcePath: source,
        workDir,
        preset: 'veryfast',
        segmentSeconds: 4,
        outputFps: fps.rational,
        fps: fps.value,
      },
      { limits: { wallTimeMs: 60_000, memoryBytes: 64 * 1024 ** 2 } },
    );
    expect(points).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^The quality probe's encode run failed \(.+\); the heuristic ladder is used$/s,
    );
  }, 120_000);
});

describe('encodeAsset with ENCODER_LADDER=hull', () => {
  let workDir: string;
  let asset: EncodedAsset;

  beforeAll(async () => {
    workDir = join(dir.path, 'out');
    asset = await encodeAsset(
      tools,
      { sourcePath: source, workDir },
      { ...DEFAULT_ENCODER_SETTINGS, ladder: 'hull' },
    );
  }, 900_000);

  it('publishes a ladder from the source size down, cheaper as it goes, each rung its own directory', async () => {
    const master = parse(await readFile(join(workDir, 'master.m3u8'), 'utf8'));
    if (!master.isMasterPlaylist) throw new Error('expected a master playlist');
    expect(master.variants[0]!.resolution).toEqual({ width: 854, height: 480 });
    // Sizes never grow down the ladder; a size may carry several rates (named by rate after its first).
    const heights = master.variants.map((v) => v.resolution!.height);
    expect([...heights].sort((a, b) => b - a)).toEqual(heights);
    const uris = master.variants.map((v) => v.uri);
    expect(new Set(uris).size).toBe(uris.length);
    expect(new Set(asset.renditions.map((r) => r.name)).size).toBe(asset.renditions.length);
    for (let i = 1; i < master.variants.length; i += 1)
      expect(master.variants[i]!.bandwidth).toBeLessThan(master.variants[i - 1]!.bandwidth);
    expect(asset.renditions[0]!.rung.bitrateKbps).toBeLessThanOrEqual(
      Math.round(referenceTopKbps(854 * 480, 25)),
    );
  });

  it('decodes the whole master playlist without an error and leaves no probe files', async () => {
    await decodeWholeMaster(tools, workDir);
    expect((await readdir(workDir)).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 300_000);
});
