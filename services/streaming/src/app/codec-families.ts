import type { Rendition } from './asset-state.js';

/** The video codec families a player can ask an edge's master for (`?codec=`). */
export type VideoCodecFamily = 'h264' | 'av1';

const FAMILY_OF_SAMPLE_ENTRY: Record<string, VideoCodecFamily> = { avc1: 'h264', avc3: 'h264', av01: 'av1' };

/**
 * The families among the renditions a session may play (height within its plan), H.264 first: what the
 * playback answer says, so a client knows an asset encoded before AV1 (or with it off) has H.264 only,
 * instead of asking for AV1 and silently getting H.264. A rendition's CODECS string names its video
 * sample entry first (`av01.0.08M.08,mp4a.40.2`).
 */
export function videoCodecFamilies(renditions: readonly Rendition[], maxHeight: number): VideoCodecFamily[] {
  const found = new Set<VideoCodecFamily>();
  for (const r of renditions) {
    if (r.height > maxHeight) continue;
    for (const codec of r.codecs.split(',')) {
      const family = FAMILY_OF_SAMPLE_ENTRY[codec.trim().slice(0, 4)];
      if (family) found.add(family);
    }
  }
  return (['h264', 'av1'] as const).filter((f) => found.has(f));
}
