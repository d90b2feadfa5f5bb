import type { Rung } from '../ladder.js';
import { av1Level, av1MainCodecs, svtLevelParam } from './av1-level.js';
import type { CodecProfile } from './codec-profile.js';

/**
 * The share of the H.264 rung's bit rate an AV1 rung gets. AV1 needs about a third fewer bits than
 * H.264 at equal quality (Netflix: ~⅓; bench/quality measures ours, docs/benchmarks.md); 0.6 aims a
 * little below equal quality's cost, so at equal quality AV1 is never the bigger file.
 */
export const AV1_BITRATE_SHARE = 0.6;

/**
 * SVT-AV1's preset, 0 (slowest) … 13 (fastest): 11, the slowest whose measured cost keeps a 1080p AV1
 * ladder at a realtime factor of at least 0.5 on 2 cores (docs/media.md, "Codec profiles").
 */
export const DEFAULT_AV1_PRESET = '11';

/**
 * AV1 Main (8-bit 4:2:0) with SVT-AV1 (`libsvtav1`, in Debian's ffmpeg). Every option is scoped to the
 * stream, overriding the H.264 family's unscoped ones: its own encoder, preset, profile, VBR target and
 * VBV, and the level (through `-svtav1-params`, which is how SVT-AV1 takes it). GOP options (`-g`,
 * closed GOPs) are shared with H.264, so AV1 segments cut at the same 4 s frames. Key frames are closed
 * (SVT-AV1's default key-frame type), which every segment needs to start decodable.
 */
export const av1Profile: CodecProfile = {
  id: 'av1',
  encoder: 'libsvtav1',
  ladder: (rungs, fps) =>
    rungs.map((r) => {
      const bitrateKbps = Math.max(1, Math.round(r.bitrateKbps * AV1_BITRATE_SHARE));
      const maxrateKbps = Math.round(bitrateKbps * 1.5);
      return {
        ...r,
        bitrateKbps,
        maxrateKbps,
        bufsizeKbps: bitrateKbps * 2,
        level: av1Level(r.width, r.height, fps, maxrateKbps),
      };
    }),
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
    `level=${svtLevelParam(rung.level)}`,
  ],
  codecs: (rung: Rung) => av1MainCodecs(rung.level),
  videoDir: (rung: Rung) => `video_${rung.name}_av1`,
};
