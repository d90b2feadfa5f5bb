/**
 * Which edges a viewer should fetch from, best first. Pure: the steering endpoint and playback start
 * both call it with the latest reports, so the order a player gets follows edge health live.
 *
 * - An edge is live when it reported healthy within `staleAfterMs` (edges report every ~2 s, so a
 *   killed edge drops out after three missed reports).
 * - Among live edges, lower load wins; an edge that already holds the asset gets a bonus worth
 *   HOLDS_ASSET_BONUS of load (a cache hit beats a slightly idler edge that must fill from origin).
 * - Stickiness: the edge a player is on stays first unless another is better by more than
 *   SWITCH_MARGIN, so small load wobbles do not bounce players between edges (each switch costs a
 *   cold cache and a new connection).
 */
export interface EdgeReport {
  /** Also the HLS Content Steering pathway id: letters, digits, '.', '-', '_'. */
  edgeId: string;
  url: string;
  healthy: boolean;
  /** 0 idle … 1 saturated. */
  load: number;
  /** Asset ids the edge holds in a cache tier. */
  assets: readonly string[];
  /** Epoch ms of the report. */
  lastSeen: number;
  /** Cache hit ratios since the edge started (0…1): RAM tier, disk tier (of RAM misses), overall. */
  hitRatio?: EdgeHitRatio;
}

export interface EdgeHitRatio {
  ram: number;
  disk: number;
  total: number;
  /** Byte hit ratio (1 − origin bytes / bytes served) and the bytes filled from the origin. */
  bytes?: number;
  originBytes?: number;
}

export interface RankOptions {
  now: number;
  assetId?: string;
  /** The pathway the player is on (`_HLS_pathway`). */
  current?: string;
  staleAfterMs?: number;
}

export const DEFAULT_STALE_AFTER_MS = 6_000;
export const HOLDS_ASSET_BONUS = 0.25;
export const SWITCH_MARGIN = 0.2;

export function isLive(edge: EdgeReport, now: number, staleAfterMs = DEFAULT_STALE_AFTER_MS): boolean {
  return edge.healthy && now - edge.lastSeen <= staleAfterMs;
}

/** Lower is better. */
export function edgeCost(edge: EdgeReport, assetId: string | undefined): number {
  const load = Math.min(1, Math.max(0, Number.isFinite(edge.load) ? edge.load : 1));
  return load - (assetId !== undefined && edge.assets.includes(assetId) ? HOLDS_ASSET_BONUS : 0);
}

/** Live edges, best first; empty when none is live. */
export function rankEdges(edges: readonly EdgeReport[], options: RankOptions): EdgeReport[] {
  const live = edges.filter((e) => isLive(e, options.now, options.staleAfterMs));
  const cost = new Map(live.map((e) => [e.edgeId, edgeCost(e, options.assetId)] as const));
  const ranked = [...live].sort(
    (a, b) => cost.get(a.edgeId)! - cost.get(b.edgeId)! || a.edgeId.localeCompare(b.edgeId),
  );
  const current = ranked.find((e) => e.edgeId === options.current);
  if (current && ranked[0] && cost.get(current.edgeId)! - cost.get(ranked[0].edgeId)! <= SWITCH_MARGIN) {
    return [current, ...ranked.filter((e) => e !== current)];
  }
  return ranked;
}

/** What the HLS Content Steering server answers (Steering Manifest, VERSION 1). */
export interface SteeringManifest {
  VERSION: 1;
  TTL: number;
  'RELOAD-URI'?: string;
  'PATHWAY-PRIORITY': string[];
}

export function steeringManifest(ranked: readonly EdgeReport[], ttlSeconds: number): SteeringManifest {
  return { VERSION: 1, TTL: ttlSeconds, 'PATHWAY-PRIORITY': ranked.map((e) => e.edgeId) };
}
