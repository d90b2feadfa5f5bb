import { MediaRejectedError } from './errors.js';

const SRT_TIME = /^(\d{1,3}):(\d{2}):(\d{2})[,.](\d{1,3})$/;
const SRT_CUE_TIMING = /^\s*(\S+)\s+-->\s+(\S+)/;

/**
 * SubRip → WebVTT, in TypeScript rather than ffmpeg so that an uploaded sidecar is never handed to a
 * demuxer. Cue numbers are dropped, commas become dots, timing settings and HTML-ish tags (<i>, <b>)
 * carry over (WebVTT has the same ones). Throws MediaRejectedError when no cue can be read.
 */
export function srtToVtt(srt: string, label = 'subtitle file'): string {
  const blocks = normalizeNewlines(srt).split(/\n{2,}/);
  const cues: string[] = [];
  for (const block of blocks) {
    const lines = block.split('\n').filter((l, i) => i > 0 || l.trim() !== '');
    const timingAt = lines.findIndex((l) => SRT_CUE_TIMING.test(l));
    if (timingAt < 0 || timingAt > 1) continue;
    const match = SRT_CUE_TIMING.exec(lines[timingAt]!)!;
    const start = vttTime(match[1]!);
    const end = vttTime(match[2]!);
    if (start === undefined || end === undefined) continue;
    const text = lines
      .slice(timingAt + 1)
      .join('\n')
      .replace(/-->/g, '->')
      .trim();
    if (text === '') continue;
    cues.push(`${start} --> ${end}\n${text}`);
  }
  if (cues.length === 0)
    throw new MediaRejectedError(`The ${label} is not a valid SRT file (no cue could be read).`);
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

function vttTime(srtTime: string): string | undefined {
  const m = SRT_TIME.exec(srtTime);
  if (!m) return undefined;
  const [, h, min, s, ms] = m as unknown as [string, string, string, string, string];
  if (Number(min) > 59 || Number(s) > 59) return undefined;
  return `${h.padStart(2, '0')}:${min}:${s}.${ms.padEnd(3, '0')}`;
}

/**
 * An uploaded WebVTT file, checked and normalised: BOM and CRLF removed, the header must be there and
 * at least one cue must parse. Header metadata lines (X-TIMESTAMP-MAP included) are replaced by ours.
 */
export function normalizeVtt(vtt: string, label = 'subtitle file'): string {
  const text = normalizeNewlines(vtt);
  if (!/^WEBVTT(?:[ \t][^\n]*)?(?:\n|$)/.test(text)) {
    throw new MediaRejectedError(`The ${label} is not a valid WebVTT file (it does not start with WEBVTT).`);
  }
  const body = text.replace(/^WEBVTT[^\n]*\n(?:[^\n]+\n)*/, '');
  if (!/\d{2}:\d{2}(?::\d{2})?\.\d{3}\s+-->\s+\d{2}:\d{2}(?::\d{2})?\.\d{3}/.test(body)) {
    throw new MediaRejectedError(`The ${label} is not a valid WebVTT file (no cue could be read).`);
  }
  return `WEBVTT\n\n${body.replace(/^\n+/, '').trimEnd()}\n`;
}

/** Sidecar by file name: `.srt` is converted, `.vtt` normalised; anything else is refused. */
export function sidecarToVtt(fileName: string, content: string): string {
  const label = `subtitle file "${fileName.replace(/[^\w. -]/g, '_').slice(0, 80)}"`;
  if (/\.srt$/i.test(fileName)) return srtToVtt(content, label);
  if (/\.vtt$/i.test(fileName)) return normalizeVtt(content, label);
  throw new MediaRejectedError(`The ${label} is neither .srt nor .vtt.`);
}

function normalizeNewlines(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * The whole subtitle track as ONE WebVTT segment, which HLS allows and every player handles: no
 * segmenting, no drift. X-TIMESTAMP-MAP ties cue time 0 to media time 0 (our outputs start at 0).
 */
export function withTimestampMap(vtt: string): string {
  return vtt.replace(/^WEBVTT[^\n]*\n/, 'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n');
}

export function subtitlePlaylist(vttFileName: string, durationSeconds: number): string {
  const duration = Math.max(durationSeconds, 0.001);
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.ceil(duration)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${duration.toFixed(3)},`,
    vttFileName,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}
