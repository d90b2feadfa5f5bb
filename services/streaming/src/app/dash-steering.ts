import type { EdgeReport } from './edge-ranking.js';

/**
 * What the DASH Content Steering server answers for a session (`GET /api/steering/:sessionId/dash`):
 * the same ranking as the HLS answer, in the DASH form. The MPD's `<BaseURL serviceLocation>` are edge
 * ids, as HLS pathways are.
 *
 * The priority list carries two names: `PATHWAY-PRIORITY`, the one dash.js reads (4.5 … 5.2:
 * `DashConstants.CONTENT_STEERING_RESPONSE.PATHWAY_PRIORITY`; it ignores any other), and
 * `SERVICE-LOCATION-PRIORITY`, the DASH-IF community-review draft's name, which video.js's VHS reads
 * for DASH. No `RELOAD-URI`: the player re-asks the MPD's URL with fresh query parameters.
 */
export interface DashSteeringManifest {
  VERSION: 1;
  TTL: number;
  'PATHWAY-PRIORITY': string[];
  'SERVICE-LOCATION-PRIORITY': string[];
}

export function dashSteeringManifest(
  ranked: readonly EdgeReport[],
  ttlSeconds: number,
): DashSteeringManifest {
  const priority = ranked.map((e) => e.edgeId);
  return {
    VERSION: 1,
    TTL: ttlSeconds,
    'PATHWAY-PRIORITY': priority,
    'SERVICE-LOCATION-PRIORITY': [...priority],
  };
}

/**
 * The service location a DASH player is on, from its `_DASH_pathway` query parameter. dash.js sends the
 * locations it used since its last steering request, quoted and comma-separated (`"edge-a,edge-b"`),
 * the one it was on then first and any it moved to after; the last is where it is now.
 */
export function currentDashPathway(param: string | undefined): string | undefined {
  const listed = (param ?? '')
    .replace(/^"|"$/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return listed.at(-1);
}
