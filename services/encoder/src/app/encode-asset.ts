import { mkdir, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runComplexityProbe, runFfmpeg } from '../media/ffmpeg-runs.js';
import { probeHullLadder } from '../media/quality-probe-runs.js';
import { measureLoudness } from '../media/loudness-runs.js';
import type { MediaTools } from '../media/media-tools.js';
import { probeSource } from '../media/probe-source.js';
import { planComplexityProbe } from './complexity.js';
import { encryptPlaylists } from './content-encryption.js';
import { codecProfile, DEFAULT_AV1_PRESET, type CodecId, type CodecLadder } from './codecs/index.js';
import {
  buildEncodeArgs,
  outputFrameRate,
  planPoster,
  subtitleDir,
  WHOLE_TITLE,
  type EncodePlan,
} from './encode-args.js';
import { planLadder, type Rung } from './ladder.js';
import { finishOutputs, type EncodedAsset } from './finish-outputs.js';
import { safeInputArgs } from './input-policy.js';
import {
  DEFAULT_LOUDNESS,
  loudnessApplyFilter,
  trackLoudness,
  type LoudnessReading,
  type LoudnessSettings,
} from './loudness.js';
import { validateSource, DEFAULT_SOURCE_LIMITS, type SourceLimits, type SubtitleTrack } from './probe.js';
import { progressReporter, type EncodeProgress, type EncodeStage } from './progress.js';
import { readSidecars, type ReadSidecar, type Sidecar } from './subtitle-outputs.js';
import { encodeSound, measureOutputLoudness } from './sound-run.js';
import { planTrickplay, TRICKPLAY_DIR } from './trickplay.js';

export type { EncodedAsset } from './finish-outputs.js';

export interface EncodeLimits {
  /** ffprobe of the upload. */
  probe: { wallTimeMs: number; memoryBytes: number };
  /** Complexity probe / decode check. */
  analyse: { wallTimeMs: number; memoryBytes: number };
  /** The encode's wall time is max(minWallTimeMs, duration × maxRealtimeMultiple). */
  encode: { minWallTimeMs: number; maxRealtimeMultiple: number; memoryBytes: number };
  source: SourceLimits;
}

export const DEFAULT_ENCODE_LIMITS: EncodeLimits = {
  probe: { wallTimeMs: 60_000, memoryBytes: 1024 ** 3 },
  analyse: { wallTimeMs: 120_000, memoryBytes: 3 * 1024 ** 3 },
  // 1080p with five rungs peaks under 2 GiB of address space; 6 GiB leaves room for 2160p.
  encode: { minWallTimeMs: 10 * 60_000, maxRealtimeMultiple: 10, memoryBytes: 6 * 1024 ** 3 },
  source: DEFAULT_SOURCE_LIMITS,
};

export interface EncoderSettings {
  /** x264 preset for every rung and the complexity probe (veryfast: FACTS.md). */
  preset: string;
  /**
   * x264 threads per rung; undefined lets x264 decide (1.5 × cores each). 4 is measured best for a
   * whole ladder in one process on 2 cores (FACTS.md: 66 s instead of 71 s for 60 s of 1080p).
   */
  threads: number | undefined;
  segmentSeconds: number;
  limits: EncodeLimits;
  /** ENCODER_CODECS: the codec families of every new asset, H.264 first (default: H.264 only). */
  codecs?: readonly CodecId[];
  /** SVT-AV1 preset for AV1 rungs (0 slowest … 13 fastest; docs/media.md says why 11). */
  av1Preset?: string;
  /** Two-pass EBU R128 normalisation of every audio track (loudness.ts); undefined turns it off. */
  loudness?: LoudnessSettings;
  /**
   * ENCODER_CHUNK_SECONDS: a title longer than this is encoded in chunks of this length (rounded up to
   * whole segments), each its own job (jobs/chunked-encode.ts); 0 or absent encodes in one piece.
   */
  chunkSeconds?: number;
  /** ENCODER_LADDER: rungs from probe encodes on the convex hull (ladder-hull.ts) or the heuristic (ladder.ts). */
  ladder?: 'hull' | 'heuristic';
}

export const DEFAULT_ENCODER_SETTINGS: EncoderSettings = {
  preset: 'veryfast',
  threads: 4,
  segmentSeconds: 4,
  limits: DEFAULT_ENCODE_LIMITS,
  codecs: ['h264'],
  av1Preset: DEFAULT_AV1_PRESET,
  loudness: DEFAULT_LOUDNESS,
};

export interface EncodeAssetInput {
  sourcePath: string;
  sidecars?: readonly Sidecar[];
  /** Where every output goes; created if missing, and must be empty. */
  workDir: string;
  signal?: AbortSignal;
  /** At most one call per second, fraction never decreasing. */
  onProgress?: (progress: EncodeProgress) => void;
  /** The asset's AES-128 content key: audio and video segments are encrypted with it (content-encryption.ts). */
  contentKey?: Buffer;
}

/**
 * The encoding use case: probe → validate → complexity probe (also the decode check; beside it the
 * loudness first pass) → ladder → ONE ffmpeg run for the picture (ladder, poster, trickplay, subtitles;
 * beside it the sound's) → measure → master playlist, written last so a
 * half-finished work dir never holds one. Throws MediaRejectedError (final, with a reason) for
 * unacceptable media and MediaToolError (retryable) when the tools fail.
 */
export async function encodeAsset(
  tools: MediaTools,
  input: EncodeAssetInput,
  settings: EncoderSettings = DEFAULT_ENCODER_SETTINGS,
): Promise<EncodedAsset> {
  const workDir = resolve(input.workDir);
  const report = progressReporter(input.onProgress);
  const prepared = await prepareEncode(tools, { ...input, workDir }, settings, report);
  return encodePrepared(tools, workDir, prepared, settings, input, report);
}

/**
 * The one-piece encode of a prepared title: the picture run (ladder, poster, trickplay, subtitles) and,
 * at the same time, the sound run with its output loudness pass (sound-run.ts); then completeEncode.
 */
export async function encodePrepared(
  tools: MediaTools,
  workDir: string,
  prepared: PreparedEncode,
  settings: EncoderSettings,
  input: Pick<EncodeAssetInput, 'signal' | 'contentKey'>,
  report: (stage: EncodeStage, fraction: number) => void,
): Promise<EncodedAsset> {
  const { plan, encodeLimits: limits } = prepared;
  await mkdir(resolve(workDir, TRICKPLAY_DIR));
  for (const k of prepared.textSubtitles.keys()) await mkdir(resolve(workDir, subtitleDir(k)));
  const seconds = plan.source.durationSeconds;
  const [, outputLoudness] = await bothOrFirstError(input.signal, [
    (signal) =>
      runFfmpeg(
        tools,
        buildEncodeArgs(plan, { ...WHOLE_TITLE, audio: false }),
        workDir,
        'Encoding',
        seconds,
        {
          limits,
          signal,
          onProgress: (f) => report('encoding', f),
        },
      ),
    (signal) =>
      plan.audio.length > 0
        ? encodeSound(tools, plan, workDir, settings.loudness, {
            limits,
            audioLimits: audioPassLimits(settings.limits, seconds),
            signal,
          })
        : Promise.resolve(undefined),
  ]);

  report('finishing', 0);
  return completeEncode(tools, workDir, prepared, settings, input, outputLoudness);
}

/** Everything decided before the encode: the plan of the one run (or of its chunks) and what finishing needs. */
export interface PreparedEncode {
  plan: EncodePlan;
  textSubtitles: SubtitleTrack[];
  sidecars: ReadSidecar[];
  /** Per planned audio output: its source loudness (loudness on and the track measurable). */
  sourceLoudness: (LoudnessReading | undefined)[];
  /** Limits of the whole title's encode run (a chunk's run takes its share: chunk-args.ts). */
  encodeLimits: { wallTimeMs: number; memoryBytes: number };
}

/**
 * probe → validate → complexity probe → ladder → loudness first pass: the plan, written nowhere but
 * `workDir` (the complexity probe's scratch file, removed again). Shared by the one-piece encode and
 * the chunked one's planning job.
 */
export async function prepareEncode(
  tools: MediaTools,
  input: Pick<EncodeAssetInput, 'sourcePath' | 'sidecars' | 'workDir' | 'signal'>,
  settings: EncoderSettings,
  report: (stage: EncodeStage, fraction: number) => void = () => undefined,
): Promise<PreparedEncode> {
  const { limits } = settings;
  const workDir = resolve(input.workDir);
  const sourcePath = resolve(input.sourcePath);
  await mkdir(workDir, { recursive: true });
  if ((await readdir(workDir)).length > 0) throw new Error(`work dir ${workDir} is not empty`);
  const signal = input.signal ? { signal: input.signal } : {};

  report('probing', 0);
  const sidecars = await readSidecars(input.sidecars ?? []);
  const info = await probeSource(tools, sourcePath, { limits: limits.probe, ...signal });
  validateSource(info, limits.source);

  const fps = outputFrameRate(info.fpsRational);
  const complexity = planComplexityProbe(info);
  // Stereo AAC for everything with two or more channels, mono stays mono (docs/media.md).
  const tracks = info.audioTracks.map((a) => ({
    index: a.index,
    channels: Math.min(2, a.channels),
    bitrateKbps: a.channels >= 2 ? 128 : 64,
  }));
  const { loudness } = settings;
  // The loudness first pass decodes only audio, the complexity probe a few seconds of video: neither
  // needs the other, so they run at once and the first pass adds no wall time of its own.
  const [measured, sourceLoudness] = await bothOrFirstError(input.signal, [
    (signal) =>
      runComplexityProbe(
        tools,
        info,
        complexity,
        { sourcePath, workDir, preset: settings.preset, outputFps: fps.rational, fps: fps.value },
        { limits: limits.analyse, signal, onProgress: (f) => report('analysing', f) },
      ),
    (signal) =>
      loudness && tracks.length > 0
        ? measureLoudness(
            tools,
            safeInputArgs(sourcePath, info.demuxer),
            tracks.map((a) => ({ stream: `0:${a.index}`, channels: a.channels })),
            loudness,
            { limits: audioPassLimits(limits, info.durationSeconds), signal, stage: 'Measuring loudness' },
          )
        : Promise.resolve([]),
  ]);

  const textSubtitles = info.subtitleTracks.filter((s) => s.text);
  const probeInput = {
    sourcePath,
    workDir,
    preset: settings.preset,
    outputFps: fps.rational,
    fps: fps.value,
    segmentSeconds: settings.segmentSeconds,
  };
  const hullLimits = { wallTimeMs: 5 * limits.analyse.wallTimeMs, memoryBytes: limits.analyse.memoryBytes };
  const hull =
    settings.ladder === 'hull'
      ? await probeHullLadder(tools, info, complexity, probeInput, { limits: hullLimits, ...signal })
      : undefined;
  const rungs =
    hull ??
    planLadder({
      width: info.width,
      height: info.height,
      fps: fps.value,
      probeBitrateKbps: measured.bitrateKbps,
      probePixels: measured.pixels,
    });
  const extraLadders = extraCodecLadders(settings.codecs ?? ['h264'], rungs, fps.value, settings.av1Preset);
  const audio = tracks.map((a, j) => {
    const filter = loudness && loudnessApplyFilter(sourceLoudness[j], a.channels, loudness);
    return filter ? { ...a, filter } : a;
  });

  const plan: EncodePlan = {
    sourcePath,
    source: info,
    outputFps: fps.rational,
    fps: fps.value,
    segmentSeconds: settings.segmentSeconds,
    preset: settings.preset,
    threads: settings.threads,
    rungs,
    ...(extraLadders.length > 0 ? { extraLadders } : {}),
    audio,
    subtitles: textSubtitles.map((s) => s.index),
    poster: planPoster(info.width, info.height, info.durationSeconds),
    trickplay: planTrickplay(info.width, info.height, info.durationSeconds),
  };
  const wallTimeMs = Math.max(
    limits.encode.minWallTimeMs,
    info.durationSeconds * 1000 * limits.encode.maxRealtimeMultiple,
  );
  return {
    plan,
    textSubtitles,
    sidecars,
    sourceLoudness,
    encodeLimits: { wallTimeMs, memoryBytes: encodeMemoryBytes(limits.encode.memoryBytes, extraLadders) },
  };
}

/** The further codec families' ladders (ENCODER_CODECS), derived from the H.264 rungs. */
export function extraCodecLadders(
  codecs: readonly CodecId[],
  rungs: Rung[],
  fps: number,
  av1Preset: string | undefined,
): CodecLadder[] {
  return codecs
    .filter((id) => id !== 'h264')
    .map((id) => {
      const codec = codecProfile(id);
      return {
        codec,
        rungs: codec.ladder(rungs, fps),
        settings: { preset: av1Preset ?? DEFAULT_AV1_PRESET },
      };
    });
}

/**
 * After the encode run(s) wrote `stream_<n>/` variants, the poster, trickplay sheets and extracted
 * subtitles into `workDir`: names and measures them, writes the master playlist, measures the output
 * loudness (unless the sound run did: `outputLoudness`) and encrypts the segments.
 */
export async function completeEncode(
  tools: MediaTools,
  workDir: string,
  prepared: PreparedEncode,
  settings: EncoderSettings,
  input: Pick<EncodeAssetInput, 'signal' | 'contentKey'>,
  outputLoudness?: (LoudnessReading | undefined)[],
): Promise<EncodedAsset> {
  const { plan, textSubtitles, sidecars, sourceLoudness } = prepared;
  const { loudness } = settings;
  const signal = input.signal ? { signal: input.signal } : {};
  const finished = await finishOutputs(workDir, plan, textSubtitles, sidecars);
  let asset = finished;
  if (loudness && finished.audio.length > 0) {
    const output =
      outputLoudness ??
      (await measureOutputLoudness(
        tools,
        finished.audio.map((a) => ({ playlist: resolve(workDir, a.playlist), channels: a.channels })),
        loudness,
        { limits: audioPassLimits(settings.limits, plan.source.durationSeconds), ...signal },
      ));
    asset = {
      ...finished,
      audio: finished.audio.map((a, j) => ({
        ...a,
        loudness: trackLoudness(sourceLoudness[j], output[j], loudness),
      })),
    };
  }
  if (!input.contentKey) return asset;
  // After measuring: BANDWIDTH is the clear stream's (padding adds at most 16 bytes a segment).
  await encryptPlaylists(
    workDir,
    [...asset.renditions.map((r) => r.playlist), ...asset.audio.map((a) => a.playlist)],
    input.contentKey,
  );
  return { ...asset, encrypted: true };
}

/**
 * Two independent runs at once. When one fails the other is stopped, and the first failure is thrown
 * once both have ended, so no run still writes into the work dir when the caller gives up on it.
 */
async function bothOrFirstError<A, B>(
  signal: AbortSignal | undefined,
  runs: [(signal: AbortSignal) => Promise<A>, (signal: AbortSignal) => Promise<B>],
): Promise<[A, B]> {
  const failed = new AbortController();
  const both = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
  const stopOther = (err: unknown) => {
    failed.abort(err);
    throw err;
  };
  const [a, b] = await Promise.allSettled([runs[0](both).catch(stopOther), runs[1](both).catch(stopOther)]);
  // The first to fail, not the other one's "aborted".
  if (failed.signal.aborted) throw failed.signal.reason;
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

/** Audio-only passes may take up to realtime (a 192 kHz true-peak meter): never less than the analyse limit. */
function audioPassLimits(limits: EncodeLimits, durationSeconds: number) {
  return {
    wallTimeMs: Math.max(limits.analyse.wallTimeMs, durationSeconds * 1000),
    memoryBytes: limits.analyse.memoryBytes,
  };
}

/**
 * The encode's address-space limit: the configured one (enough for any H.264 ladder) plus 2 GiB per AV1
 * rung. SVT-AV1 reserves its picture buffers up front — four 720p encoders measured 6.0 GiB of address
 * space (VmPeak), most of it never touched — so a ladder with AV1 failed under the H.264 limit with
 * "deinit called without sending EOS". The resident memory it really uses is far smaller.
 */
export function encodeMemoryBytes(
  base: number,
  extraLadders: readonly { codec: { id: string }; rungs: unknown[] }[],
): number {
  const av1Rungs = extraLadders.filter((l) => l.codec.id === 'av1').reduce((n, l) => n + l.rungs.length, 0);
  return base + av1Rungs * AV1_RUNG_ADDRESS_SPACE;
}

const AV1_RUNG_ADDRESS_SPACE = 2 * 1024 ** 3;
