import { isAbsolute } from 'node:path';

/**
 * Demuxers an upload may be opened with. Every one of them reads only the bytes of the file itself:
 * none follows references to other files or URLs. Deliberately absent: hls, dash, concat/ffconcat,
 * sdp/rtp/rtsp, image2 (file patterns), every *_pipe image demuxer, tty/text, lavfi, and anything else
 * that can open a second resource. The mov demuxer can follow external data references, which is
 * why it additionally runs with `-enable_drefs 0` (also its default) when we force it.
 *
 * ffmpeg enforces this list itself (`-format_whitelist`): an upload that is really a playlist fails
 * inside libavformat with "Format not on whitelist" before a single reference is resolved.
 */
export const ALLOWED_DEMUXERS = [
  'mov',
  'matroska',
  'avi',
  'mpegts',
  'flv',
  'ogg',
  'mxf',
  'mpeg',
  'asf',
] as const;

/** The only protocol an upload may use: its own local file. */
export const INPUT_PROTOCOLS = 'file';

/**
 * ffprobe's `format_name` (e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm") → the short demuxer name
 * to force with `-f` for every later ffmpeg run, or undefined when it is not on the allow-list.
 */
export function allowedDemuxer(formatName: string): string | undefined {
  const names = formatName.split(',').map((n) => n.trim());
  return ALLOWED_DEMUXERS.find((allowed) => names.includes(allowed));
}

/**
 * Input options for opening an upload. With `demuxer` (known after probing) the format is forced, so
 * probing cannot pick a different demuxer on a second look. The path is made absolute and given
 * with the `file:` prefix so that a name containing ':' can never be read as another protocol.
 */
export function safeInputArgs(path: string, demuxer?: string): string[] {
  if (!isAbsolute(path)) throw new Error(`input path must be absolute: ${path}`);
  const args = ['-protocol_whitelist', INPUT_PROTOCOLS, '-format_whitelist', ALLOWED_DEMUXERS.join(',')];
  if (demuxer !== undefined) {
    if (!(ALLOWED_DEMUXERS as readonly string[]).includes(demuxer))
      throw new Error(`demuxer not allowed: ${demuxer}`);
    args.push('-f', demuxer);
    // enable_drefs only exists on mov; ffmpeg refuses unknown input options for other demuxers.
    if (demuxer === 'mov') args.push('-enable_drefs', '0');
  }
  args.push('-i', `file:${path}`);
  return args;
}

/** ffprobe's input options: the same whitelists; ffprobe tolerates `-enable_drefs` on any demuxer. */
export function safeProbeArgs(path: string): string[] {
  if (!isAbsolute(path)) throw new Error(`input path must be absolute: ${path}`);
  return [
    '-protocol_whitelist',
    INPUT_PROTOCOLS,
    '-format_whitelist',
    ALLOWED_DEMUXERS.join(','),
    '-enable_drefs',
    '0',
    `file:${path}`,
  ];
}
