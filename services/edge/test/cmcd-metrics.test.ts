import { toCmcdQuery } from '@svta/cml-cmcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

/** A metric's value (summed over label sets) from the edge's /metrics text. */
function metric(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

describe('CMCD at the edge', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'asset-1');
  });
  afterAll(() => e?.close());

  const metrics = async () => (await e.get('/metrics')).body.text();

  it('records the CMCD of media requests under a valid token, and serves them as without it', async () => {
    const token = e.token({ asset: 'asset-1' });
    const segment = `/t/${token}/a/asset-1/v720/seg_00001.m4s`;
    const starved = toCmcdQuery({ bs: true, bl: [1500], mtp: [2400], ot: 'v', sid: 'p1' });
    const steady = toCmcdQuery({ bl: [12000], mtp: [9000], ot: 'v', sid: 'p1' });
    // From the origin (the asynchronous path), then from RAM (the synchronous one): both record it.
    const cold = await e.get(`${segment}?${starved}`);
    expect(cold.statusCode).toBe(200);
    expect(cold.headers['x-cache']).toBe('MISS');
    const bytes = Buffer.from(await cold.body.arrayBuffer());
    for (const query of [steady, starved]) {
      const res = await e.get(`${segment}?${query}`);
      expect(res.statusCode).toBe(200);
      expect(Buffer.from(await res.body.arrayBuffer()).equals(bytes)).toBe(true);
    }
    // A refused token records nothing: nobody fills an edge's metrics without one.
    const forged = await e.get(`/t/not.a-token/a/asset-1/v720/seg_00001.m4s?${starved}`);
    expect(forged.statusCode).toBe(403);
    await forged.body.dump();

    const text = await metrics();
    expect(metric(text, 'edge_cmcd_buffer_starvation_total')).toBe(2);
    expect(metric(text, 'edge_cmcd_buffer_length_seconds_count')).toBe(3);
    expect(metric(text, 'edge_cmcd_buffer_length_seconds_sum')).toBeCloseTo(15, 6);
    expect(metric(text, 'edge_cmcd_measured_throughput_kbps_count')).toBe(3);
    expect(metric(text, 'edge_cmcd_measured_throughput_kbps_sum')).toBe(13_800);
  });
});
