import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, type types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaTools } from '../media/media-tools.js';
import { makeSource, tempDir, testMediaTools } from '../testing/media-fixtures.js';
import { decodeWholeMaster, ffprobeJson } from '../testing/output-checks.js';
import { encodeAsset, type EncodedAsset } from './encode-asset.js';
import type { EncodeProgress } from './progress.js';

let tools: MediaTools;
let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  tools = await testMediaTools();
  dir = await tempDir('encode');
});
afterAll(async () => dir?.remove());

function parseMaster(text: string): types.MasterPlaylist {
  const playlist = parse(text);
  if (!playlist.isMasterPlaylist) throw new Error('expected a master playlist');
  return playlist;
}

function parseMedia(text: string): types.MediaPlaylist {
  const playlist = parse(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  return playlist;
}

/** The RFC 6381 string of the stream itself, from the avcC box of the init segment. */
function avcCodecsOf(init: Buffer): string {
  const at = init.indexOf('avcC');
  expect(at).toBeGreaterThan(0);
  const hex = (n: number) => init[at + 4 + n]!.toString(16).padStart(2, '0');
  return `avc1.${hex(1)}${hex(2)}${hex(3)}`;
}

describe('encodeAsset: MP4 with two audio tracks, a subtitle stream and an SRT sidecar', () => {
  let workDir: string;
  let asset: EncodedAsset;
  const progress: (EncodeProgress & { at: number })[] = [];

  beforeAll(async () => {
    const source = await makeSource(tools, dir.path, 'two-audio.mp4', {
      width: 640,
      height: 360,
      seconds: 9,
      audio: [
        { language: 'eng', frequency: 440 },
        { language: 'fra', frequency: 660 },
      ],
      subtitle: { language: 'eng' },
      container: 'mp4',
    });
    const sidecar = join(dir.path, 'german.srt');
    await writeFile(sidecar, '1\n00:00:01,000 --> 00:00:02,000\nHallo\n');
    workDir = join(dir.path, 'out-two-audio');
    asset = await encodeAsset(tools, {
      sourcePath: source,
      workDir,
      sidecars: [{ path: sidecar, language: 'de' }],
      onProgress: (p) => progress.push({ ...p, at: Date.now() }),
    });
  });

  it('writes a master playlist an independent parser reads as the ladder we planned', async () => {
    const master = parseMaster(await readFile(join(workDir, 'master.m3u8'), 'utf8'));
    expect(master.version).toBe(7);
    expect(master.independentSegments).toBe(true);
    expect(master.variants.map((v) => v.resolution)).toEqual([
      { width: 640, height: 360 },
      { width: 426, height: 240 },
    ]);
    for (const v of master.variants) {
      expect(v.frameRate).toBe(25);
      expect(v.codecs).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
      expect(v.averageBandwidth).toBeGreaterThan(0);
      expect(v.bandwidth).toBeGreaterThanOrEqual(v.averageBandwidth!);
      expect(v.audio.map((a) => [a.language, a.name, a.channels])).toEqual([
        ['en', 'English', '2'],
        ['fr', 'French', '2'],
      ]);
      expect(v.subtitles.map((s) => [s.language, s.name])).toEqual([
        ['en', 'English'],
        ['de', 'German'],
      ]);
    }
    expect(asset.renditions.map((r) => r.bandwidth)).toEqual(master.variants.map((v) => v.bandwidth));
  });

  it('declares CODECS that match the encoded streams (High profile, planned level)', async () => {
    for (const r of asset.renditions) {
      const media = parseMedia(await readFile(join(workDir, r.playlist), 'utf8'));
      const initUri = media.segments[0]!.map.uri;
      const init = await readFile(join(workDir, r.playlist, '..', initUri));
      expect(`${avcCodecsOf(init)},mp4a.40.2`).toBe(r.codecs);
    }
  });

  it('cuts 4 s CMAF segments at the same keyframes in every rung', async () => {
    const durations: number[][] = [];
    for (const r of asset.renditions) {
      const media = parseMedia(await readFile(join(workDir, r.playlist), 'utf8'));
      expect(media.targetDuration).toBe(4);
      expect(media.playlistType).toBe('VOD');
      expect(media.segments[0]!.map.uri).toMatch(/\.mp4$/);
      durations.push(media.segments.map((s) => s.duration));
      const keyframes = await ffprobeJson(tools, [
        '-select_streams',
        'v:0',
        '-skip_frame',
        'nokey',
        '-show_entries',
        'frame=pts_time',
        join(workDir, r.playlist),
      ]);
      const times = (keyframes.frames as { pts_time: string }[]).map(
        (f) => Math.round(Number(f.pts_time) * 100) / 100,
      );
      const start = times[0]!;
      expect(times.map((t) => Math.round((t - start) * 100) / 100)).toEqual([0, 4, 8]);
    }
    expect(durations[0]).toEqual([4, 4, 1]);
    expect(durations[1]).toEqual(durations[0]);
  });

  it('decodes the whole master playlist without a single error', async () => {
    await decodeWholeMaster(tools, workDir);
  });

  it('carries the text subtitle stream and the converted sidecar as WebVTT', async () => {
    expect(asset.subtitles.map((s) => [s.language, s.origin])).toEqual([
      ['en', 'stream'],
      ['de', 'sidecar'],
    ]);
    const stream = await readFile(join(workDir, 'subs_0/index.vtt'), 'utf8');
    expect(stream).toMatch(/^WEBVTT\nX-TIMESTAMP-MAP=/);
    expect(stream).toMatch(/(00:)?00:00\.500 --> (00:)?00:01\.500\nHello/);
    expect(await readFile(join(workDir, 'subs_1/index.vtt'), 'utf8')).toContain(
      '00:00:01.000 --> 00:00:02.000\nHallo',
    );
    const playlist = parseMedia(await readFile(join(workDir, asset.subtitles[0]!.playlist), 'utf8'));
    expect(playlist.segments.map((s) => s.uri)).toEqual(['index.vtt']);
  });

  it('makes a poster and trickplay sheets with an index that points inside them', async () => {
    const poster = await ffprobeJson(tools, [
      '-show_entries',
      'stream=width,height,codec_name',
      join(workDir, asset.posterPath),
    ]);
    expect(poster.streams).toEqual([{ codec_name: 'mjpeg', width: 640, height: 360 }]);
    const { trickplay } = asset;
    expect(trickplay).toMatchObject({
      intervalSeconds: 2,
      count: 5,
      columns: 5,
      rows: 1,
      sheetPaths: ['trickplay/sheet_001.jpg'],
    });
    const sheet = await ffprobeJson(tools, [
      '-show_entries',
      'stream=width,height',
      join(workDir, trickplay.sheetPaths[0]!),
    ]);
    expect(sheet.streams).toEqual([{ width: 5 * trickplay.thumbWidth, height: trickplay.thumbHeight }]);
    const index = await readFile(join(workDir, trickplay.indexPath), 'utf8');
    const fragments = [...index.matchAll(/#xywh=(\d+),(\d+),(\d+),(\d+)/g)].map((m) =>
      m.slice(1).map(Number),
    );
    expect(fragments).toHaveLength(5);
    for (const [x, y, w, h] of fragments) {
      expect(x! + w!).toBeLessThanOrEqual(5 * trickplay.thumbWidth);
      expect(y! + h!).toBeLessThanOrEqual(trickplay.thumbHeight);
    }
  });

  it('lists every output once, master playlist last, and nothing else is left in the work dir', async () => {
    expect(asset.files.at(-1)).toBe('master.m3u8');
    expect(new Set(asset.files).size).toBe(asset.files.length);
    for (const f of asset.files) await access(join(workDir, f));
    expect(asset.files.filter((f) => /extracted|complexity|stream_/.test(f))).toEqual([]);
    expect(asset.durationSeconds).toBeCloseTo(9, 1);
  });

  it('reported progress at most once a second, increasing, within 0..1', () => {
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i += 1) {
      expect(progress[i]!.fraction).toBeGreaterThan(progress[i - 1]!.fraction);
      expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(990);
    }
    expect(progress.every((p) => p.fraction >= 0 && p.fraction <= 1)).toBe(true);
  });
});

describe('encodeAsset: 720p MKV at 29.97 fps, silent, with a SubRip stream', () => {
  let workDir: string;
  let asset: EncodedAsset;

  beforeAll(async () => {
    const source = await makeSource(tools, dir.path, 'silent.mkv', {
      width: 1280,
      height: 720,
      seconds: 3,
      rate: '30000/1001',
      subtitle: { language: 'spa' },
      container: 'mkv',
    });
    workDir = join(dir.path, 'out-silent');
    asset = await encodeAsset(tools, { sourcePath: source, workDir });
  });

  it('builds four rungs without an audio group', async () => {
    const master = parseMaster(await readFile(join(workDir, 'master.m3u8'), 'utf8'));
    expect(master.variants.map((v) => v.resolution?.height)).toEqual([720, 480, 360, 240]);
    for (const v of master.variants) {
      expect(v.codecs).toMatch(/^avc1\.6400[0-9a-f]{2}$/);
      expect(v.frameRate).toBeCloseTo(29.97, 2);
      expect(v.audio).toEqual([]);
      expect(v.subtitles.map((s) => s.language)).toEqual(['es']);
    }
    expect(asset.audio).toEqual([]);
  });

  it('decodes the whole master playlist without a single error', async () => {
    await decodeWholeMaster(tools, workDir);
  });

  it('refuses to write into a work dir that is not empty', async () => {
    await expect(encodeAsset(tools, { sourcePath: join(dir.path, 'silent.mkv'), workDir })).rejects.toThrow(
      /not empty/,
    );
  });
});
