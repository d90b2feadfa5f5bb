/**
 * The public media URL shape: `/t/<token>/a/<assetId>/<path inside the asset>`. The token comes first so
 * that every relative URL inside a playlist inherits it. Parsing is strict: anything that could name
 * a file outside the asset (dot segments, encoded slashes, backslashes, control characters) is refused
 * before a cache or the origin is asked.
 */
export interface MediaRequest {
  token: string;
  assetId: string;
  /** Decoded path inside the asset, '/'-separated, e.g. `v720/seg_00001.m4s`. */
  path: string;
}

const PREFIX = /^\/t\/([A-Za-z0-9_.-]{1,1024})\/a\/([A-Za-z0-9_-]{1,128})\/(.+)$/;
const MAX_PATH = 512;
/** '/'-separated segments of safe characters, none empty and none starting with a dot. */
const PLAIN_PATH = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

export function parseMediaPath(url: string): MediaRequest | undefined {
  const q = url.indexOf('?');
  const match = PREFIX.exec(q < 0 ? url : url.slice(0, q));
  if (!match) return undefined;
  const [, token, assetId, rest] = match as unknown as [string, string, string, string];
  if (rest.length > MAX_PATH * 3) return undefined;
  // Nearly every path the encoder writes is plain (`v720/seg_00001.m4s`): no decoding, no dot
  // segments, nothing to split and join again (this runs on every media request).
  if (rest.length <= MAX_PATH && PLAIN_PATH.test(rest)) return { token, assetId, path: rest };
  const segments: string[] = [];
  // Most paths have nothing encoded: skip the decoder for them (this runs on every media request).
  const encoded = rest.includes('%');
  for (const raw of rest.split('/')) {
    let segment = raw;
    if (encoded) {
      try {
        segment = decodeURIComponent(raw);
      } catch {
        return undefined;
      }
    }
    // eslint-disable-next-line no-control-regex
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\u0000-\u001f\u007f]/.test(segment)) {
      return undefined;
    }
    segments.push(segment);
  }
  const path = segments.join('/');
  return path.length > MAX_PATH ? undefined : { token, assetId, path };
}

/** The blob (and origin) key of a path inside an asset. */
export function blobKeyOf(assetId: string, path: string): string {
  return `assets/${assetId}/${path}`;
}

export const MASTER_PLAYLIST = 'master.m3u8';
