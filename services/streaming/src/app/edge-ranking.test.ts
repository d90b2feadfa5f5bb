import { describe, expect, it } from 'vitest';
import { rankEdges, steeringManifest, type EdgeReport } from './edge-ranking.js';

const now = 1_000_000;
const edge = (edgeId: string, over: Partial<EdgeReport> = {}): EdgeReport => ({
  edgeId,
  url: `http://127.0.0.1/${edgeId}`,
  healthy: true,
  load: 0.1,
  assets: [],
  lastSeen: now - 1_000,
  ...over,
});
const ids = (edges: EdgeReport[]) => edges.map((e) => e.edgeId);

describe('rankEdges', () => {
  it('puts the least loaded edge first, ties by id', () => {
    expect(ids(rankEdges([edge('b', { load: 0.5 }), edge('a', { load: 0.2 })], { now }))).toEqual(['a', 'b']);
    expect(ids(rankEdges([edge('b'), edge('a')], { now }))).toEqual(['a', 'b']);
  });

  it('drops unhealthy edges and edges that stopped reporting', () => {
    const edges = [
      edge('a', { healthy: false }),
      edge('b', { lastSeen: now - 7_000 }),
      edge('c', { load: 0.9 }),
    ];
    expect(ids(rankEdges(edges, { now }))).toEqual(['c']);
    expect(rankEdges([edge('a', { lastSeen: now - 60_000 })], { now })).toEqual([]);
  });

  it('prefers an edge that holds the asset over a slightly idler one', () => {
    const edges = [edge('a', { load: 0.1 }), edge('b', { load: 0.3, assets: ['asset-1'] })];
    expect(ids(rankEdges(edges, { now, assetId: 'asset-1' }))).toEqual(['b', 'a']);
    expect(ids(rankEdges(edges, { now, assetId: 'asset-2' }))).toEqual(['a', 'b']);
    // …but not over a much idler one.
    const busy = [edge('a', { load: 0.05 }), edge('b', { load: 0.9, assets: ['asset-1'] })];
    expect(ids(rankEdges(busy, { now, assetId: 'asset-1' }))).toEqual(['a', 'b']);
  });

  it('keeps a player on its current edge unless another is clearly better', () => {
    const edges = [edge('a', { load: 0.2 }), edge('b', { load: 0.35 })];
    expect(ids(rankEdges(edges, { now, current: 'b' }))).toEqual(['b', 'a']);
    const overloaded = [edge('a', { load: 0.2 }), edge('b', { load: 0.8 })];
    expect(ids(rankEdges(overloaded, { now, current: 'b' }))).toEqual(['a', 'b']);
    // A dead current edge is dropped whatever the stickiness.
    expect(ids(rankEdges([edge('a'), edge('b', { healthy: false })], { now, current: 'b' }))).toEqual(['a']);
  });

  it('treats a nonsense load as saturated', () => {
    expect(ids(rankEdges([edge('a', { load: Number.NaN }), edge('b', { load: 0.99 })], { now }))).toEqual([
      'b',
      'a',
    ]);
  });

  it('answers a version 1 steering manifest', () => {
    expect(steeringManifest([edge('b'), edge('a')], 5)).toEqual({
      VERSION: 1,
      TTL: 5,
      'PATHWAY-PRIORITY': ['b', 'a'],
    });
  });
});
