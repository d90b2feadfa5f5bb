/**
 * Content type of each encoder output, by path (relative to the asset): players and CDNs look at it,
 * and the origin serves whatever was recorded with the blob.
 */
export function outputContentType(path: string): string {
  const audio = path.startsWith('audio_');
  if (path.endsWith('.m3u8')) return 'application/vnd.apple.mpegurl';
  if (path.endsWith('.m4s')) return audio ? 'audio/mp4' : 'video/iso.segment';
  if (path.endsWith('.mp4')) return audio ? 'audio/mp4' : 'video/mp4';
  if (path.endsWith('.vtt')) return 'text/vtt; charset=utf-8';
  if (path.endsWith('.jpg')) return 'image/jpeg';
  if (path.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}
