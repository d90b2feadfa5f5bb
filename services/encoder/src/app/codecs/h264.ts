import { avcHighCodecs, levelName } from '../h264-level.js';
import { rungAt } from '../ladder.js';
import type { CodecProfile } from './codec-profile.js';

/**
 * H.264 High with x264: the ladder of ladder.ts as it is (level and rates decided there), and the
 * family-wide options of the one-run command (encode-args.ts writes those unscoped, since H.264 is
 * always the first family; a later family overrides them per stream).
 */
export const h264Profile: CodecProfile = {
  id: 'h264',
  encoder: 'libx264',
  ladder: (rungs) => [...rungs],
  rungAt: (size, bitrateKbps, fps) => rungAt(size, bitrateKbps, fps),
  streamArgs: (stream, rung) => [
    `-b:v:${stream}`,
    `${rung.bitrateKbps}k`,
    `-maxrate:v:${stream}`,
    `${rung.maxrateKbps}k`,
    `-bufsize:v:${stream}`,
    `${rung.bufsizeKbps}k`,
    `-level:v:${stream}`,
    levelName(rung.level),
  ],
  codecs: (rung) => avcHighCodecs(rung.level),
  videoDir: (rung) => `video_${rung.name}`,
};

/** The options every H.264 stream shares: x264 at the preset, High profile, 4:2:0. */
export function h264FamilyArgs(preset: string): string[] {
  return ['-c:v', 'libx264', '-preset', preset, '-profile:v', 'high', '-pix_fmt', 'yuv420p'];
}
