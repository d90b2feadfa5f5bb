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
 * Quoted-string attribute values may not contain a double quote or a line break (RFC 8216 4.2). Straight
 * apostrophes are legal but trip some parsers (hls-parser splits on them), so both become ’.
 */
function quoted(value: string): string {
  return `"${value.replace(/[\r\n]/g, ' ').replace(/["']/g, '\u2019')}"`;
}

/**
 * The master playlist, written by us because ffmpeg's lacks AVERAGE-BANDWIDTH, FRAME-RATE, languages
 * and (for some codecs) CODECS. Variants carry the audio group's largest bit rate on top of their own,
 * since a player plays a variant together with one of its audio renditions. Highest variant first.
 */
export function writeMasterPlaylist(input: MasterPlaylistInput): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const defaultAudio = Math.max(
    0,
    input.audio.findIndex((a) => a.default),
  );
  input.audio.forEach((a, i) => {
    const attrs = [
      'TYPE=AUDIO',
      `GROUP-ID=${quoted(AUDIO_GROUP)}`,
      `NAME=${quoted(a.name)}`,
      ...(a.language ? [`LANGUAGE=${quoted(a.language)}`] : []),
      `DEFAULT=${i === defaultAudio ? 'YES' : 'NO'}`,
      'AUTOSELECT=YES',
      `CHANNELS=${quoted(String(a.channels))}`,
      `URI=${quoted(a.uri)}`,
    ];
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  });
  input.subtitles.forEach((s) => {
    const attrs = [
      'TYPE=SUBTITLES',
      `GROUP-ID=${quoted(SUBTITLE_GROUP)}`,
      `NAME=${quoted(s.name)}`,
      ...(s.language ? [`LANGUAGE=${quoted(s.language)}`] : []),
      `DEFAULT=${s.default ? 'YES' : 'NO'}`,
      'AUTOSELECT=YES',
      'FORCED=NO',
      `URI=${quoted(s.uri)}`,
    ];
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  });
  const audioPeak = Math.max(0, ...input.audio.map((a) => a.peakBandwidth));
  const audioAverage = Math.max(0, ...input.audio.map((a) => a.averageBandwidth));
  const audioCodecs = input.audio[0]?.codecs;
  const ordered = [...input.video].sort((a, b) => b.height * b.width - a.height * a.width);
  for (const v of ordered) {
    const attrs = [
      `BANDWIDTH=${v.peakBandwidth + audioPeak}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth + audioAverage}`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
      `CODECS=${quoted(audioCodecs ? `${v.codecs},${audioCodecs}` : v.codecs)}`,
      ...(input.audio.length > 0 ? [`AUDIO=${quoted(AUDIO_GROUP)}`] : []),
      ...(input.subtitles.length > 0 ? [`SUBTITLES=${quoted(SUBTITLE_GROUP)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The master playlist without the variants above `maxHeight` (the streaming service serves a plan's
 * allowance: 720 for basic, 1080 for standard). "Height" is the short side, so a portrait 1080×1920
 * variant counts as 1080. The smallest variant always stays, so a playlist is never left empty.
 */
export function filterMasterByHeight(master: string, maxHeight: number): string {
  const lines = master.split('\n');
  const variants: { at: number; short: number }[] = [];
  lines.forEach((line, at) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const match = /RESOLUTION=(\d+)x(\d+)/.exec(line);
    const short = match ? Math.min(Number(match[1]), Number(match[2])) : 0;
    variants.push({ at, short });
  });
  const smallest = Math.min(...variants.map((v) => v.short));
  const drop = new Set<number>();
  for (const v of variants) {
    if (v.short > maxHeight && v.short !== smallest) {
      drop.add(v.at);
      // The variant's URI is the next line that is neither blank nor a tag.
      let uriAt = v.at + 1;
      while (uriAt < lines.length && (lines[uriAt]!.trim() === '' || lines[uriAt]!.startsWith('#')))
        uriAt += 1;
      drop.add(uriAt);
    }
  }
  return lines.filter((_, i) => !drop.has(i)).join('\n');
}
