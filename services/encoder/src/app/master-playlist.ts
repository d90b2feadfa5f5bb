import {
  quote,
  writeMasterPlaylist as writePlaylist,
  type AttributeList,
  type MasterVariant,
} from '@marquee/core/hls';
import { codecOfCodecs } from './codecs/index.js';

/** A video variant of the master playlist, measured from its segments. */
export interface VideoVariant {
  uri: string;
  width: number;
  height: number;
  frameRate: number;
  /** Video only: the audio group's bit rate is added when the master is written. */
  peakBandwidth: number;
  averageBandwidth: number;
  /** e.g. "avc1.640028". */
  codecs: string;
}

export interface AudioRendition {
  uri: string;
  name: string;
  language: string | undefined;
  channels: number;
  default: boolean;
  peakBandwidth: number;
  averageBandwidth: number;
  codecs: string;
}

export interface SubtitleRendition {
  uri: string;
  name: string;
  language: string | undefined;
  default: boolean;
}

export interface MasterPlaylistInput {
  video: VideoVariant[];
  audio: AudioRendition[];
  subtitles: SubtitleRendition[];
}

export const AUDIO_GROUP = 'audio';
export const SUBTITLE_GROUP = 'subs';

/**
 * A name as a quoted-string value: {@link quote} keeps it legal (no double quote, no line break);
 * straight apostrophes are legal too but trip some parsers (hls-parser splits on them), so they
 * become ’ as well.
 */
function quotedName(value: string): string {
  return quote(value.replace(/'/g, '\u2019'));
}

/**
 * The master playlist, written by us because ffmpeg's lacks AVERAGE-BANDWIDTH, FRAME-RATE, languages
 * and (for some codecs) CODECS. Variants carry the audio group's largest bit rate on top of their own,
 * since a player plays a variant together with one of its audio renditions. Highest variant first
 * within each codec family.
 */
export function writeMasterPlaylist(input: MasterPlaylistInput): string {
  const renditions: AttributeList[] = [];
  const defaultAudio = Math.max(
    0,
    input.audio.findIndex((a) => a.default),
  );
  input.audio.forEach((a, i) => {
    renditions.push(
      attributes([
        ['TYPE', 'AUDIO'],
        ['GROUP-ID', quote(AUDIO_GROUP)],
        ['NAME', quotedName(a.name)],
        ['LANGUAGE', a.language === undefined ? undefined : quote(a.language)],
        ['DEFAULT', i === defaultAudio ? 'YES' : 'NO'],
        ['AUTOSELECT', 'YES'],
        ['CHANNELS', quote(String(a.channels))],
        ['URI', quote(a.uri)],
      ]),
    );
  });
  input.subtitles.forEach((s) => {
    renditions.push(
      attributes([
        ['TYPE', 'SUBTITLES'],
        ['GROUP-ID', quote(SUBTITLE_GROUP)],
        ['NAME', quotedName(s.name)],
        ['LANGUAGE', s.language === undefined ? undefined : quote(s.language)],
        ['DEFAULT', s.default ? 'YES' : 'NO'],
        ['AUTOSELECT', 'YES'],
        ['FORCED', 'NO'],
        ['URI', quote(s.uri)],
      ]),
    );
  });
  const audioPeak = Math.max(0, ...input.audio.map((a) => a.peakBandwidth));
  const audioAverage = Math.max(0, ...input.audio.map((a) => a.averageBandwidth));
  const audioCodecs = input.audio[0]?.codecs;
  // Each codec family together, in the order given (H.264 first: a player that tries the first variant
  // it sees gets the one everything decodes), largest first within it.
  const family = (v: VideoVariant) =>
    input.video.findIndex((w) => codecOfCodecs(w.codecs) === codecOfCodecs(v.codecs));
  const ordered = [...input.video].sort(
    (a, b) => family(a) - family(b) || b.height * b.width - a.height * a.width,
  );
  const variants: MasterVariant[] = ordered.map((v) => ({
    iFrame: false,
    uri: v.uri,
    attrs: attributes([
      ['BANDWIDTH', String(v.peakBandwidth + audioPeak)],
      ['AVERAGE-BANDWIDTH', String(v.averageBandwidth + audioAverage)],
      ['RESOLUTION', `${v.width}x${v.height}`],
      ['FRAME-RATE', v.frameRate.toFixed(3)],
      ['CODECS', quote(audioCodecs ? `${v.codecs},${audioCodecs}` : v.codecs)],
      ['AUDIO', input.audio.length > 0 ? quote(AUDIO_GROUP) : undefined],
      ['SUBTITLES', input.subtitles.length > 0 ? quote(SUBTITLE_GROUP) : undefined],
    ]),
  }));
  return writePlaylist({ tags: ['#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'], renditions, variants });
}

/** An attribute list in the given order, leaving out the attributes without a value. */
function attributes(entries: [string, string | undefined][]): AttributeList {
  return new Map(entries.filter((e): e is [string, string] => e[1] !== undefined));
}
