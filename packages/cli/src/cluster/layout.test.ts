import { describe, expect, it } from 'vitest';
import { planReplicas, replicaCounts, replicaSettings, replicaTotal, sharedSettings } from './layout.js';

describe('cluster layout', () => {
  it('runs N replicas of every service, never fewer than two edges', () => {
    expect(replicaCounts(2)).toEqual({
      gateway: 2,
      users: 2,
      streaming: 2,
      recommender: 2,
      encoder: 2,
      edge: 2,
      storage: 2,
      analytics: 2,
    });
    expect(replicaCounts(1).edge).toBe(2);
    expect(replicaCounts(1, { edge: 3, encoder: 1 })).toMatchObject({ edge: 3, encoder: 1, users: 1 });
    expect(() => replicaCounts(0)).toThrow(RangeError);
    expect(() => replicaCounts(1.5)).toThrow(RangeError);
  });

  it('gives each replica its own port and a stable id, and tells every replica where all the others are', () => {
    const counts = replicaCounts(2);
    const ports = Array.from({ length: replicaTotal(counts) }, (_, i) => 40_000 + i);
    const plans = planReplicas(counts, ports);
    expect(plans).toHaveLength(16);
    expect(new Set(plans.map((p) => p.port)).size).toBe(16);
    expect(plans.filter((p) => p.service === 'edge').map((p) => p.id)).toEqual(['edge-1', 'edge-2']);
    const shared = sharedSettings(plans, 'http://127.0.0.1:8080');
    expect(shared.MARQUEE_PUBLIC_URL).toBe('http://127.0.0.1:8080');
    expect(shared.MARQUEE_STREAMING_URLS!.split(',')).toEqual(
      plans.filter((p) => p.service === 'streaming').map((p) => p.url),
    );
    // Nothing calls a gateway but viewers, through the ingress.
    expect(Object.keys(shared)).not.toContain('MARQUEE_GATEWAY_URLS');
    const edge = plans.find((p) => p.id === 'edge-2')!;
    expect(replicaSettings(edge)).toEqual({ MARQUEE_EDGE_PORTS: String(edge.port) });
    expect(replicaSettings(plans.find((p) => p.id === 'gateway-1')!)).toEqual({
      MARQUEE_PORT: String(plans[0]!.port),
    });
    expect(() => planReplicas(counts, ports.slice(1))).toThrow(/16 ports needed/);
  });
});
