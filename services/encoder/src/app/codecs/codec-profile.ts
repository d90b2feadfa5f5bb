import type { Rung } from '../ladder.js';

/** The video codec families Marquee encodes. Assets without a codec on their renditions are `h264`. */
export type CodecId = 'h264' | 'av1';
export const CODEC_IDS: readonly CodecId[] = ['h264', 'av1'];

/** The settings of a codec family that an install may choose (encode-asset.ts: EncoderSettings). */
export interface CodecSettings {
  /** x264: a preset name ("veryfast"); SVT-AV1: 0 (slowest) … 13 (fastest), as a string. */
  preset: string;
}

/**
 * Everything that differs between codecs, in one place per codec (as immich's `BaseConfig` →
 * `H264Config`/`AV1Config`): the ladder rule, the ffmpeg options, the CODECS string and level, and
 * where its renditions go. The rest of the encoder (one decode, the scaling cascade, packaging,
 * measurement, encryption) is the same for every codec.
 *
 *   const av1 = codecProfile('av1');
 *   const rungs = av1.ladder(h264Rungs, 30);   // same sizes, AV1's bit rates and levels
 *   av1.streamArgs(5, rungs[0], { preset: '10' }); // ['-c:v:5', 'libsvtav1', …]
 */
export interface CodecProfile {
  id: CodecId;
  /** The ffmpeg encoder it needs (checked at start-up when the install enables the codec). */
  encoder: string;
  /**
   * The family's rungs from the H.264 ladder: the same sizes and names (one scaling cascade feeds every
   * family; a rung is matched to its H.264 rung by name), with the codec's own bit rates and level.
   */
  ladder(h264Rungs: readonly Rung[], fps: number): Rung[];
  /**
   * A rung of `size` aimed at `bitrateKbps`, with the family's rate control (VBV peak and buffer) and
   * level, as its ladder makes them: bench/quality sweeps each codec's rates through it.
   */
  rungAt(size: RungSize, bitrateKbps: number, fps: number): Rung;
  /** ffmpeg options for output video stream `stream` (its index among all video outputs) encoding `rung`. */
  streamArgs(stream: number, rung: Rung, settings: CodecSettings): string[];
  /** The RFC 6381 codecs string of a rung, e.g. "avc1.640028" or "av01.0.08M.08". */
  codecs(rung: Rung): string;
  /** The rung's directory in the asset: "video_1080p" (H.264, as before) or "video_1080p_av1". */
  videoDir(rung: Rung): string;
}

/** A rung's name and picture size, before a codec gives it a bit rate. */
export type RungSize = Pick<Rung, 'name' | 'width' | 'height'>;

/** A codec family's rungs in one encode. */
export interface CodecLadder {
  codec: CodecProfile;
  rungs: Rung[];
  settings: CodecSettings;
}

/** The codec family a CODECS string belongs to ("av01…" is AV1; anything else is H.264, as old assets). */
export function codecOfCodecs(codecs: string): CodecId {
  return /^\s*av01\./i.test(codecs) ? 'av1' : 'h264';
}

/**
 * `ENCODER_CODECS` ("h264" or "h264,av1"): the families every new asset is encoded in, H.264 first and
 * always present (the one every player decodes). Throws on an unknown name.
 */
export function parseEncoderCodecs(text: string): CodecId[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((n) => !(CODEC_IDS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown codec(s) in ENCODER_CODECS: ${unknown.join(', ')}`);
  const ids = new Set<CodecId>(['h264', ...(names as CodecId[])]);
  return CODEC_IDS.filter((id) => ids.has(id));
}
