import { ARTWORK_SESSION, type MediaTokenPayload } from '@marquee/core';
import type { MediaRequest } from './media-path.js';
import type { EdgeTokenCheck } from './verified-media-tokens.js';

/** Every refusal is a 403 problem with one of these stable codes. */
export const MEDIA_REFUSALS = {
  'media.token_invalid': 'The media token is not valid',
  'media.token_expired': 'The media token has expired',
  'media.session_ended': 'The playback session of this media token has ended',
  'media.asset_mismatch': 'The media token is for another asset',
  'media.rendition_forbidden': 'This rendition is above what the token allows',
  'media.artwork_only': 'This token opens images only',
} as const;
export type MediaRefusalCode = keyof typeof MEDIA_REFUSALS;

export type Access<T> = { ok: true; value: T } | { ok: false; code: MediaRefusalCode; detail: string };

const IMAGE = /\.(jpe?g|png|webp|avif)$/i;

/** The token check, then: is the token for this asset? Nothing about the path yet. */
export function admitToken(check: EdgeTokenCheck, request: MediaRequest): Access<MediaTokenPayload> {
  if (!check.ok) {
    if (check.reason === 'expired') {
      return {
        ok: false,
        code: 'media.token_expired',
        detail: 'This link has expired; start playback again',
      };
    }
    if (check.reason === 'session_ended') {
      return { ok: false, code: 'media.session_ended', detail: 'This playback has stopped; start it again' };
    }
    return { ok: false, code: 'media.token_invalid', detail: 'This link is not valid' };
  }
  if (check.payload.asset !== request.assetId) {
    return { ok: false, code: 'media.asset_mismatch', detail: 'This link is for another video' };
  }
  return { ok: true, value: check.payload };
}

/**
 * May this token fetch `path`? `heightOf` gives the video height a file belongs to (0 for audio,
 * subtitles and images; Infinity for media no playlist lists). Artwork tokens open images only.
 */
export function admitPath(
  payload: MediaTokenPayload,
  path: string,
  heightOf: (path: string) => number,
): Access<number> {
  if (payload.session === ARTWORK_SESSION && !IMAGE.test(path)) {
    return { ok: false, code: 'media.artwork_only', detail: 'This link opens images only' };
  }
  const height = heightOf(path);
  if (height > payload.maxHeight) {
    return {
      ok: false,
      code: 'media.rendition_forbidden',
      detail: Number.isFinite(height)
        ? `This ${height}p rendition is above the ${payload.maxHeight}p your plan allows`
        : 'This file is not part of a rendition this link opens',
    };
  }
  return { ok: true, value: height };
}
