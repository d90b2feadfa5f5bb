import { access, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { CodecId } from './codecs/index.js';
import {
  audioDir,
  hlsVariantDir,
  MEDIA_PLAYLIST,
  POSTER_FILE,
  videoOutputs,
  type EncodePlan,
} from './encode-args.js';
import { MediaToolError } from './errors.js';
import { AAC_LC_CODECS } from './h264-level.js';
import { renditionName, UNKNOWN_LANGUAGE_NAME } from './languages.js';
import { writeMasterPlaylist, type AudioRendition, type VideoVariant } from './master-playlist.js';
import { measurePlaylist } from './measure-outputs.js';
import { dominatedRungs } from './dominated-rungs.js';
import type { Rung } from './ladder.js';
import type { TrackLoudness } from './loudness.js';
import type { SubtitleTrack } from './probe.js';
import { dedupeNames, finishSubtitles, type ReadSidecar } from './subtitle-outputs.js';
import { sheetName, TRICKPLAY_INDEX, trickplayVtt, type TrickplayPlan } from './trickplay.js';

export const MASTER_PLAYLIST = 'master.m3u8';

export interface EncodedRendition {
  name: string;
  /** The codec family (assets from before codec profiles have none in their summary: H.264). */
  codec: CodecId;
  width: number;
  height: number;
  /** As declared in the master playlist (peak and average, audio included). */
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  frameRate: number;
  playlist: string;
  /** The ladder rung it was encoded with (target bit rate, VBV, level). */
  rung: Rung;
}

export interface EncodedAudio {
  name: string;
  language: string | undefined;
  channels: number;
  bandwidth: number;
  playlist: string;
  /** Measured source and output loudness (absent when normalisation is off). */
  loudness?: TrackLoudness;
}

export interface EncodedSubtitle {
  name: string;
  language: string | undefined;
  origin: 'stream' | 'sidecar';
  playlist: string;
}

/** What one encode produced; every path is relative to the work dir, '/'-separated. */
export interface EncodedAsset {
  masterPlaylist: string;
  durationSeconds: number;
  renditions: EncodedRendition[];
  audio: EncodedAudio[];
  subtitles: EncodedSubtitle[];
  posterPath: string;
  trickplay: TrickplayPlan & { indexPath: string; sheetPaths: string[] };
  /** Every output file, the master playlist last (upload in this order: it makes the asset visible). */
  files: string[];
  /** Audio and video segments are AES-128 encrypted with the content key the encode was given. */
  encrypted: boolean;
}

/**
 * After ffmpeg: gives variant directories their names, measures every playlist, writes subtitle
 * renditions and the trickplay index, and finally the master playlist.
 */
export async function finishOutputs(
  workDir: string,
  plan: EncodePlan,
  textSubtitles: readonly SubtitleTrack[],
  sidecars: readonly ReadSidecar[],
): Promise<EncodedAsset> {
  type Encoded = VideoVariant & { name: string; codec: CodecId; dir: string; rung: Rung; pixels: number };
  const outputs = videoOutputs(plan);
  const families = new Map<CodecId, Encoded[]>();
  let durationSeconds = 0;
  for (const { stream, ladder, rung } of outputs) {
    const dir = ladder.codec.videoDir(rung);
    await rename(join(workDir, hlsVariantDir(stream)), join(workDir, dir));
    const m = await measurePlaylist(join(workDir, dir));
    if (stream === 0) durationSeconds = m.durationSeconds;
    const family = families.get(ladder.codec.id) ?? [];
    families.set(ladder.codec.id, family);
    family.push({
      name: rung.name,
      codec: ladder.codec.id,
      dir,
      rung,
      pixels: rung.width * rung.height,
      uri: `${dir}/${MEDIA_PLAYLIST}`,
      width: rung.width,
      height: rung.height,
      frameRate: plan.fps,
      peakBandwidth: m.peakBandwidth,
      averageBandwidth: m.averageBandwidth,
      codecs: ladder.codec.codecs(rung),
    });
  }
  // Within each family: a player switches rungs inside one codec, so domination is per codec.
  const video: Encoded[] = [];
  for (const family of families.values()) {
    const dropped = dominatedRungs(family);
    for (const d of dropped) await rm(join(workDir, d.dir), { recursive: true, force: true });
    video.push(...family.filter((v) => !dropped.has(v)));
  }

  const tracks = plan.source.audioTracks;
  const audio: AudioRendition[] = [];
  for (const [j, out] of plan.audio.entries()) {
    await rename(join(workDir, hlsVariantDir(outputs.length + j)), join(workDir, audioDir(j)));
    const m = await measurePlaylist(join(workDir, audioDir(j)));
    const track = tracks.find((t) => t.index === out.index);
    audio.push({
      uri: `${audioDir(j)}/${MEDIA_PLAYLIST}`,
      name: renditionName(track?.language, track?.title, UNKNOWN_LANGUAGE_NAME),
      language: track?.language,
      channels: out.channels,
      default: track?.default ?? false,
      peakBandwidth: m.peakBandwidth,
      averageBandwidth: m.averageBandwidth,
      codecs: AAC_LC_CODECS,
    });
  }
  const namedAudio = dedupeNames(audio);

  const subtitles = await finishSubtitles(workDir, textSubtitles, sidecars, durationSeconds);
  const trickplay = await finishTrickplay(workDir, plan.trickplay, durationSeconds);
  try {
    await access(join(workDir, POSTER_FILE));
  } catch {
    throw new MediaToolError('ffmpeg wrote no poster');
  }

  const master = writeMasterPlaylist({
    video,
    audio: namedAudio,
    subtitles: subtitles.map((s) => ({
      uri: `${s.dir}/${MEDIA_PLAYLIST}`,
      name: s.name,
      language: s.language,
      default: false,
    })),
  });
  await writeFile(join(workDir, MASTER_PLAYLIST), master);

  const audioPeak = Math.max(0, ...namedAudio.map((a) => a.peakBandwidth));
  const audioAverage = Math.max(0, ...namedAudio.map((a) => a.averageBandwidth));
  const files = (await listFiles(workDir)).filter((f) => f !== MASTER_PLAYLIST).sort();
  return {
    masterPlaylist: MASTER_PLAYLIST,
    durationSeconds,
    renditions: video.map((v) => ({
      name: v.name,
      codec: v.codec,
      width: v.width,
      height: v.height,
      bandwidth: v.peakBandwidth + audioPeak,
      averageBandwidth: v.averageBandwidth + audioAverage,
      codecs: namedAudio.length > 0 ? `${v.codecs},${AAC_LC_CODECS}` : v.codecs,
      frameRate: v.frameRate,
      playlist: v.uri,
      rung: v.rung,
    })),
    audio: namedAudio.map((a) => ({
      name: a.name,
      language: a.language,
      channels: a.channels,
      bandwidth: a.peakBandwidth,
      playlist: a.uri,
    })),
    subtitles: subtitles.map((s) => ({
      name: s.name,
      language: s.language,
      origin: s.origin,
      playlist: `${s.dir}/${MEDIA_PLAYLIST}`,
    })),
    posterPath: POSTER_FILE,
    trickplay,
    files: [...files, MASTER_PLAYLIST],
    encrypted: false,
  };
}

/** Writes the trickplay index for the sheets ffmpeg actually produced (the last one may be partial). */
async function finishTrickplay(
  workDir: string,
  plan: TrickplayPlan,
  durationSeconds: number,
): Promise<EncodedAsset['trickplay']> {
  const sheetPaths: string[] = [];
  for (let n = 1; ; n += 1) {
    try {
      await access(join(workDir, sheetName(n)));
      sheetPaths.push(sheetName(n));
    } catch {
      break;
    }
  }
  if (sheetPaths.length === 0) throw new MediaToolError('ffmpeg wrote no trickplay sheet');
  const count = Math.min(plan.count, sheetPaths.length * plan.columns * plan.rows);
  const written = { ...plan, count, sheets: sheetPaths.length };
  await writeFile(join(workDir, TRICKPLAY_INDEX), trickplayVtt(written, durationSeconds));
  return { ...written, indexPath: TRICKPLAY_INDEX, sheetPaths };
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
}
