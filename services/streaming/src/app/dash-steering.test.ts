import { describe, expect, it } from 'vitest';
import { currentDashPathway, dashSteeringManifest } from './dash-steering.js';
import { rankEdges, type EdgeReport } from './edge-ranking.js';

const now = 1_000_000;
const edge = (edgeId: string, load: number): EdgeReport => ({
  edgeId,
  url: `http://127.0.0.1/${edgeId}`,
  healthy: true,
  load,
  assets: [],
  lastSeen: now,
});

describe('DASH steering manifest', () => {
  it('lists the ranked edges under both DASH names, VERSION 1 with a TTL', () => {
    const ranked = rankEdges([edge('edge-a', 0.6), edge('edge-b', 0.1)], { now });
    expect(dashSteeringManifest(ranked, 5)).toEqual({
      VERSION: 1,
      TTL: 5,
      'PATHWAY-PRIORITY': ['edge-b', 'edge-a'],
      'SERVICE-LOCATION-PRIORITY': ['edge-b', 'edge-a'],
    });
    expect(dashSteeringManifest([], 5)['PATHWAY-PRIORITY']).toEqual([]);
  });

  it('reads the current service location from _DASH_pathway as dash.js sends it', () => {
    expect(currentDashPathway('"edge-a"')).toBe('edge-a');
    expect(currentDashPathway('"edge-a,edge-b"')).toBe('edge-b');
    expect(currentDashPathway('edge-a')).toBe('edge-a');
    expect(currentDashPathway('""')).toBeUndefined();
    expect(currentDashPathway(undefined)).toBeUndefined();
    // Stickiness works on it as on _HLS_pathway: the player's edge stays first within the margin.
    const edges = [edge('edge-a', 0.2), edge('edge-b', 0.1)];
    const on = (param: string) => rankEdges(edges, { now, current: currentDashPathway(param) })[0]!.edgeId;
    expect(on('"edge-b,edge-a"')).toBe('edge-a');
    expect(on('"edge-b"')).toBe('edge-b');
  });
});
