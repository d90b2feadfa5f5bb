const BY_EXTENSION: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ts: 'video/mp2t',
  vtt: 'text/vtt; charset=utf-8',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  json: 'application/json',
};

/**
 * The Content-Type to serve: the origin's, unless it only knows "bytes" — then the one the file's
 * extension implies, because players and browsers care (MSE wants video/audio types, `<img>` and
 * `<track>` sniff badly).
 */
export function mediaTypeOf(path: string, fromOrigin: string | undefined): string {
  if (fromOrigin && fromOrigin !== 'application/octet-stream') return fromOrigin;
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION[ext]) || 'application/octet-stream';
}
