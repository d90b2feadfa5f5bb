import { Type } from '@sinclair/typebox';
import type { SettingsFragment } from '@marquee/core';

/**
 * The encoder's settings (ENCODER_*), declared beside the code that reads them (service.ts); the CLI
 * composes them into the one validated schema, and the README's table lists them. Only the encoder
 * reads them. MARQUEE_ENCODER_PORT and MARQUEE_ENCODER_URLS stay core's: they are topology, which the
 * composition root reads for every service alike. PATH, FFMPEG_PATH and FFPROBE_PATH stay core's too:
 * they say where the platform's media tools are, not how the encoder encodes.
 */
export const encoderSettings = {
  ENCODER_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 1,
    description: 'encoding jobs at once per encoder',
  }),
  ENCODER_CHUNK_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 3600,
    default: 0,
    description:
      'a title longer than this is encoded in chunks of this length, one job each, on any encoder (0 = whole titles; docs/media.md)',
  }),
  ENCODER_CODECS: Type.Union([Type.Literal('h264'), Type.Literal('h264,av1')], {
    default: 'h264',
    description:
      'video codecs of new assets: H.264, or H.264 and AV1 (SVT-AV1: its rungs cost about 1.6× the H.264 ladder, both together 2.6×; docs/media.md)',
  }),
  ENCODER_AV1_PRESET: Type.Integer({
    minimum: 0,
    maximum: 13,
    default: 11,
    description: 'SVT-AV1 preset for AV1 rungs (0 slowest … 13 fastest)',
  }),
  ENCODER_LADDER: Type.Union([Type.Literal('hull'), Type.Literal('heuristic')], {
    default: 'heuristic',
    description:
      "how a title's ladder is chosen: probe encodes on the convex hull of measured quality, or the one-probe heuristic (docs/media.md)",
  }),
  ENCODER_LOUDNESS: Type.Boolean({
    default: true,
    description: 'normalise every audio track to a target loudness (EBU R128 two-pass loudnorm)',
  }),
  ENCODER_LOUDNESS_TARGET_LUFS: Type.Number({
    minimum: -70,
    maximum: -5,
    default: -16,
    description: 'integrated loudness every audio track is brought to, in LUFS',
  }),
  ENCODER_LOUDNESS_TRUE_PEAK_DBTP: Type.Number({
    minimum: -9,
    maximum: 0,
    default: -1.5,
    description: 'highest true peak after normalisation, in dBTP',
  }),
  ENCODER_LOUDNESS_LRA: Type.Number({
    minimum: 1,
    maximum: 50,
    default: 20,
    description: 'loudness range (LU) a track may have and still get one constant gain, not compression',
  }),
} satisfies SettingsFragment;
