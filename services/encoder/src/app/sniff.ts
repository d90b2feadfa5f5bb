/**
 * Looks at the first bytes of an upload and, when they show it is certainly not a video, says what it
 * is in words an operator understands. This only improves the message: the protection is ffmpeg's own
 * demuxer allow-list (input-policy.ts), which refuses these files even when this sniffer misses them.
 *
 * @example sniffNonVideo(Buffer.from('#EXTM3U\n...')) // "The file is an HLS playlist, not a video…"
 */
export function sniffNonVideo(head: Buffer, totalSize: number): string | undefined {
  if (totalSize === 0) return 'The file is empty (0 bytes).';
  for (const [magic, what] of MAGIC) {
    if (head.subarray(0, magic.length).equals(magic)) return `The file is ${what}, not a video.`;
  }
  const text = asText(head);
  if (text === undefined) return undefined;
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (/^#EXTM3U/i.test(start)) {
    return 'The file is an HLS playlist, not a video. Playlists point at other files and are never opened.';
  }
  if (/^ffconcat\s+version/i.test(start) || /^\s*file\s+['"]?[^\n]+/im.test(start)) {
    return 'The file is an ffmpeg concat list, not a video. Lists that point at other files are never opened.';
  }
  if (/^v=0\r?\n/.test(start) && /^[os]=/m.test(start)) {
    return 'The file is an SDP session description, not a video. It points at network streams and is never opened.';
  }
  if (/^<\?xml|^<MPD|^<smil/i.test(start)) {
    return 'The file is an XML document (a DASH or SMIL manifest?), not a video.';
  }
  return 'The file is a text file, not a video.';
}

const MP4_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid']);

/** Whether the file starts like an ISO-BMFF/QuickTime file (a top-level box type at offset 4). */
export function looksLikeMp4(head: Buffer): boolean {
  return head.length >= 8 && MP4_BOXES.has(head.toString('latin1', 4, 8));
}

const MAGIC: [Buffer, string][] = [
  [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'a PNG image'],
  [Buffer.from([0xff, 0xd8, 0xff]), 'a JPEG image'],
  [Buffer.from('GIF87a'), 'a GIF image'],
  [Buffer.from('GIF89a'), 'a GIF image'],
  [Buffer.from('%PDF-'), 'a PDF document'],
  [Buffer.from([0x50, 0x4b, 0x03, 0x04]), 'a ZIP archive'],
  [Buffer.from([0x1f, 0x8b]), 'a gzip archive'],
];

/**
 * The head decoded as text when it looks like text: valid UTF-8 (allowing a character cut at the end of
 * the sample), no NUL, and at most a few control characters. Binary media fails this within bytes.
 */
function asText(head: Buffer): string | undefined {
  if (head.length === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(head));
  } catch {
    return undefined;
  }
  let controls = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0) return undefined;
    if (code < 0x20 && ch !== '\n' && ch !== '\r' && ch !== '\t' && ch !== '\f') controls += 1;
  }
  return controls * 100 <= text.length ? text : undefined;
}

/** Drops an incomplete UTF-8 sequence at the very end of a sample (the cut is ours, not the file's). */
function trimPartialUtf8(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}
