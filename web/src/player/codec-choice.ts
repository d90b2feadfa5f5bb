/**
 * Which video codec family the player asks the edge for. The edge's per-session master keeps one
 * family when its URL says `?codec=av1|h264` (services/edge/src/app/session-master.ts), and an asset
 * that has none of it keeps all its variants, so asking is always safe. Asking, rather than handing
 * hls.js a master with both families, keeps the choice ours and fixed for the session: hls.js ranks
 * codec sets by its own scores and its ABR may not leave the set it started in, so a mixed master
 * could start (and stay) on H.264 on a browser that plays AV1, or the reverse on one that only
 * claims to.
 *
 * Forcing one family, for tests and support: `?codec=av1` or `?codec=h264` on the player page's URL
 * (that page load), or `localStorage['marquee.codec'] = 'av1' | 'h264'` (this browser, until removed;
 * anything else means automatic). A forced family is asked for even where the browser cannot play it:
 * that is the point of forcing.
 */
export type VideoCodecFamily = 'h264' | 'av1';

/** The AV1 the encoder writes at its tallest rung: Main profile, level 4.0 (1080p30), 8-bit. */
export const AV1_PROBE = 'video/mp4; codecs="av01.0.08M.08"';

export interface CodecChoiceInputs {
  /** The player page's query string (`location.search`). */
  search: string;
  /** `localStorage['marquee.codec']`, or null. */
  stored: string | null;
  /** `MediaSource.isTypeSupported`, or undefined where there is no MediaSource (native HLS). */
  isTypeSupported: ((type: string) => boolean) | undefined;
}

function family(value: string | null): VideoCodecFamily | undefined {
  return value === 'av1' || value === 'h264' ? value : undefined;
}

/** Pure: the forced family if any (page URL first, then the stored setting), else AV1 where MSE plays it. */
export function chooseVideoCodec(inputs: CodecChoiceInputs): VideoCodecFamily {
  const forced = family(new URLSearchParams(inputs.search).get('codec')) ?? family(inputs.stored);
  if (forced) return forced;
  return inputs.isTypeSupported?.(AV1_PROBE) ? 'av1' : 'h264';
}

/** The session's master URL asking for one family (any `codec` it carried is replaced). */
export function withCodec(manifestUrl: string, codec: VideoCodecFamily): string {
  const url = new URL(manifestUrl, 'http://relative.invalid');
  url.searchParams.set('codec', codec);
  return url.origin === 'http://relative.invalid' ? `${url.pathname}${url.search}` : url.href;
}

function storedChoice(): string | null {
  try {
    return localStorage.getItem('marquee.codec');
  } catch {
    return null; // storage refused (privacy settings): automatic
  }
}

/** This browser's choice, read now. */
export function browserVideoCodec(): VideoCodecFamily {
  return chooseVideoCodec({
    search: typeof location === 'undefined' ? '' : location.search,
    stored: storedChoice(),
    isTypeSupported:
      typeof MediaSource === 'undefined' ? undefined : (type) => MediaSource.isTypeSupported(type),
  });
}
