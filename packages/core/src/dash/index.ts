/** DASH (`@marquee/core/dash`): an MPD over the same fMP4 segments as an asset's HLS playlists. */
export {
  describeDashAsset,
  type DashAsset,
  type DashAudio,
  type DashDescription,
  type DashSegments,
  type DashText,
  type DashUnavailableReason,
  type DashVideo,
} from './dash-asset.js';
export {
  frameRate,
  numberTemplate,
  segmentTimeline,
  writeSessionMpd,
  type ServiceLocation,
  type SessionMpdOptions,
} from './mpd.js';

/** The MPD's path inside an asset on an edge, beside `master.m3u8`. */
export const DASH_MANIFEST = 'manifest.mpd';

/**
 * The DASH Content Steering manifest URL of a session, beside its HLS one (`<base>/<session>`):
 * streaming answers `GET /api/steering/:sessionId/dash` in the DASH form, from the same ranking.
 */
export function dashSteeringUri(steeringBaseUrl: string, sessionId: string): string {
  return `${steeringBaseUrl}/${encodeURIComponent(sessionId)}/dash`;
}
