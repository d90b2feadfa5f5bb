import { ARTWORK_SESSION, type MediaKeyring } from '@marquee/core';
import { DASH_MANIFEST } from '@marquee/core/dash';

/** Why a playback answer has no `dashUrl`. */
export type DashUnavailableReason = 'encrypted-hls-only';

const DAY_MS = 24 * 3_600_000;
const ASSET_KEY = /^assets\/([A-Za-z0-9_-]{1,128})\/(.+)$/;

/**
 * Media URLs carry their token in the path (`/t/<token>/a/<assetId>/…`) so every relative URL inside
 * a playlist inherits it.
 */
export class MediaUrls {
  constructor(
    private readonly keys: MediaKeyring,
    private readonly now: () => number = Date.now,
  ) {}

  sessionToken(input: { assetId: string; sessionId: string; maxHeight: number; expiresAt: number }): string {
    return this.keys.sign(
      {
        asset: input.assetId,
        session: input.sessionId,
        maxHeight: input.maxHeight,
        exp: Math.floor(input.expiresAt / 1000),
      },
      this.now(),
    );
  }

  manifestUrl(edgeUrl: string, token: string, assetId: string): string {
    return `${edgeUrl}/t/${token}/a/${assetId}/master.m3u8`;
  }

  /**
   * The session's MPD beside its master (the edge writes it from the same playlists and segments), or
   * null with the reason: segments encrypted with AES-128 whole are HLS only, since DASH players
   * decrypt samples (CENC), not whole segments. `encryption` is the asset's content-key method.
   */
  dash(
    edgeUrl: string,
    token: string,
    assetId: string,
    encryption: string | null,
  ): { dashUrl: string | null; dashUnavailableReason: DashUnavailableReason | null } {
    if (encryption !== null) return { dashUrl: null, dashUnavailableReason: 'encrypted-hls-only' };
    return { dashUrl: `${edgeUrl}/t/${token}/a/${assetId}/${DASH_MANIFEST}`, dashUnavailableReason: null };
  }

  /**
   * A poster (or other image) of an asset, from an edge. The token is an artwork token that expires
   * at the end of tomorrow (UTC): the URL stays the same all day, so browsers and edges cache it.
   */
  artworkUrl(edgeUrl: string | undefined, blobKey: string | null): string | null {
    const match = blobKey ? ASSET_KEY.exec(blobKey) : null;
    if (!edgeUrl || !match) return null;
    const [, assetId, path] = match as unknown as [string, string, string];
    const now = this.now();
    const exp = (Math.floor(now / DAY_MS) + 2) * DAY_MS;
    const token = this.keys.sign(
      { asset: assetId, session: ARTWORK_SESSION, maxHeight: 0, exp: exp / 1000 },
      now,
    );
    return `${edgeUrl}/t/${token}/a/${assetId}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }
}
