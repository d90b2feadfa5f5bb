import type { Rung } from '../ladder.js';
import { av1Level, av1MainCodecs, svtLevelParam } from './av1-level.js';
import type { CodecProfile } from './codec-profile.js';

/**
 * The share of the H.264 rung's bit rate an AV1 rung gets. Measured (bench/quality's codec sweeps,
 * docs/benchmarks.md "Quality: AV1 against H.264"): an AV1 rung at preset 11 matches its H.264 rung's
 * SSIM at 0.4–0.9 of its rate, median 0.5 — the top rungs of sharp or noisy content need 0.75–0.9, small
 * or flat rungs 0.4 or less. 0.6 sits between: small rungs come out better than H.264's, tops of hard
 * content a little worse.
 */
export const AV1_BITRATE_SHARE = 0.6;

/**
 * SVT-AV1's preset, 0 (slowest) … 13 (fastest); the install's is ENCODER_AV1_PRESET. 11: the slowest whose
 * AV1 rungs keep a 1080p encode at a realtime factor of at least 0.5 on 2 cores (with lp=1, 2.74 CPU-s a
 * second of source, 0.73); preset 10 saves far more bits but measured 0.44–0.60 (docs/media.md, "Codec
 * profiles"; docs/benchmarks.md, "Quality: AV1 against H.264").
 */
export const DEFAULT_AV1_PRESET = '11';

/**
 * SVT-AV1's `lp` (logical processors) per encoder: 1. An encode runs one SVT-AV1 per rung beside x264's,
 * so the rungs already fill the cores, and SVT-AV1's own threads only add overhead: AV1 rungs of 10 s of
 * 1080p cost 2.74 CPU-s per second of source at preset 11 with lp=1, 3.08 with its default (all cores),
 * for the same bits and SSIM (docs/media.md). Its price: one rung's encoder gets about one core.
 */
export const SVT_LOGICAL_PROCESSORS = 1;

/**
 * AV1 Main (8-bit 4:2:0) with SVT-AV1 (`libsvtav1`, in Debian's ffmpeg). Every option is scoped to the
 * stream, overriding the H.264 family's unscoped ones: its own encoder, preset, profile, VBR target and
 * VBV, and the level and threads (through `-svtav1-params`, which is how SVT-AV1 takes them). GOP options (`-g`,
 * closed GOPs) are shared with H.264, so AV1 segments cut at the same 4 s frames. Key frames are closed
 * (SVT-AV1's default key-frame type), which every segment needs to start decodable.
 */
export const av1Profile: CodecProfile = {
  id: 'av1',
  encoder: 'libsvtav1',
  ladder: (rungs, fps) => rungs.map((r) => av1Profile.rungAt(r, r.bitrateKbps * AV1_BITRATE_SHARE, fps)),
  // The same VBV rule as H.264's rungs (peak 1.5 ×, buffer 2 × the target), AV1's own level.
  rungAt: (size, kbps, fps) => {
    const bitrateKbps = Math.max(1, Math.round(kbps));
    const maxrateKbps = Math.round(bitrateKbps * 1.5);
    return {
      name: size.name,
      width: size.width,
      height: size.height,
      bitrateKbps,
      maxrateKbps,
      bufsizeKbps: bitrateKbps * 2,
      level: av1Level(size.width, size.height, fps, maxrateKbps),
    };
  },
  streamArgs: (stream, rung, settings) => [
    `-c:v:${stream}`,
    'libsvtav1',
    `-preset:v:${stream}`,
    settings.preset,
    `-profile:v:${stream}`,
    'main',
    `-b:v:${stream}`,
    `${rung.bitrateKbps}k`,
    `-maxrate:v:${stream}`,
    `${rung.maxrateKbps}k`,
    `-bufsize:v:${stream}`,
    `${rung.bufsizeKbps}k`,
    `-svtav1-params:v:${stream}`,
    `level=${svtLevelParam(rung.level)}:lp=${SVT_LOGICAL_PROCESSORS}`,
  ],
  codecs: (rung: Rung) => av1MainCodecs(rung.level),
  videoDir: (rung: Rung) => `video_${rung.name}_av1`,
};
