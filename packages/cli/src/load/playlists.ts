import HLS from 'hls-parser';
import type { Variant } from './abr.js';

/** A media segment with its absolute URL, its place on the media timeline and its init section. */
export interface Segment {
  url: URL;
  start: number;
  duration: number;
  init?: URL;
}

export interface MediaTimeline {
  segments: Segment[];
  duration: number;
  targetDuration: number;
}

/** A variant with its absolute URL, its pathway (content steering) and its audio rendition. */
export interface PlayableVariant extends Variant {
  url: URL;
  pathway?: string;
  audio?: URL;
}

export interface Master {
  variants: PlayableVariant[];
  steering?: { serverUri: URL; pathway: string };
}

function text(body: Buffer | undefined, what: string): string {
  const value = body?.toString('utf8') ?? '';
  if (!value.startsWith('#EXTM3U')) throw new Error(`${what} is not an HLS playlist`);
  return value;
}

/**
 * Each `#EXT-X-STREAM-INF`'s PATHWAY-ID, in order: hls-parser 0.16 reads a variant's pathway from
 * STABLE-PATHWAY-ID instead (packages/core/src/hls/playlists.ts says so), so every variant of a
 * steered master came out on no pathway and the player could not tell its edges apart.
 */
function streamPathways(master: string): (string | undefined)[] {
  return master
    .split(/\r?\n/)
    .filter((line) => line.startsWith('#EXT-X-STREAM-INF:'))
    .map((line) => /[:,]PATHWAY-ID="([^"]*)"/.exec(line)?.[1]);
}

/** The master playlist: its variants (lowest bandwidth first), their audio and the steering server. */
export function parseMaster(body: Buffer | undefined, base: URL): Master {
  const source = text(body, 'the master playlist');
  const playlist = HLS.parse(source);
  if (!playlist.isMasterPlaylist) throw new Error('the master playlist is a media playlist');
  const pathways = streamPathways(source);
  const variants = playlist.variants
    .filter((v) => !v.isIFrameOnly)
    .map((v, i): PlayableVariant => {
      const pathway = pathways[i] ?? v.pathwayId;
      const audio = v.audio.find((a) => a.isDefault && a.uri) ?? v.audio.find((a) => a.uri);
      return {
        uri: v.uri,
        url: new URL(v.uri, base),
        bandwidth: v.bandwidth,
        height: v.resolution?.height ?? 0,
        ...(pathway ? { pathway } : {}),
        ...(audio?.uri ? { audio: new URL(audio.uri, base) } : {}),
      };
    })
    .sort((a, b) => a.bandwidth - b.bandwidth);
  if (variants.length === 0) throw new Error('the master playlist has no variant');
  const steering = playlist.contentSteering;
  return {
    variants,
    ...(steering?.serverUri
      ? { steering: { serverUri: new URL(steering.serverUri, base), pathway: steering.pathwayId } }
      : {}),
  };
}

export function parseMedia(body: Buffer | undefined, base: URL): MediaTimeline {
  const playlist = HLS.parse(text(body, 'a media playlist'));
  if (playlist.isMasterPlaylist) throw new Error('a media playlist is a master playlist');
  let start = 0;
  const segments = playlist.segments.map((s): Segment => {
    const segment = {
      url: new URL(s.uri, base),
      start,
      duration: s.duration,
      ...(s.map?.uri ? { init: new URL(s.map.uri, base) } : {}),
    };
    start += s.duration;
    return segment;
  });
  if (segments.length === 0) throw new Error('a media playlist has no segment');
  return { segments, duration: start, targetDuration: playlist.targetDuration };
}

/** The index of the segment playing at media time `t` (the last one past the end). */
export function segmentAt(timeline: MediaTimeline, t: number): number {
  const { segments } = timeline;
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid]!.start <= t + 1e-6) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
