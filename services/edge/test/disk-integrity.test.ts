import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '@marquee/platform/testing';
import { bytesOf, putAsset, startEdge } from './harness.js';
import { startOriginFixture } from './origin-fixture.js';

const identity = { edgeId: 'edge-integrity', url: 'http://127.0.0.1:1' };

/** Flips one byte in the middle of the disk tier's file for `key` (same size: only a hash notices). */
async function rotOnDisk(dataDir: string, key: string): Promise<void> {
  const hash = createHash('sha256').update(key).digest('hex');
  const file = await open(join(dataDir, `edge-${identity.edgeId}`, hash.slice(0, 2), hash), 'r+');
  try {
    const byte = Buffer.alloc(1);
    const at = 1000;
    await file.read(byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0x5a;
    await file.write(byte, 0, 1, at);
  } finally {
    await file.close();
  }
}

async function corruptCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^edge_disk_corrupt_objects_total(?:{[^}]*})? (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('disk tier integrity', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('never serves a corrupted disk object after a restart: refetches it, or answers 502 without the origin', async () => {
    const ctx = await createTestContext();
    const origin = await startOriginFixture(ctx.secret);
    cleanups.push(async () => {
      await origin.stop();
      await ctx.cleanup();
    });
    putAsset(origin, 'a1');
    const key = (file: string) => `assets/a1/${file}`;
    const first = await startEdge({ ctx, originFixture: origin, identity });
    const token = first.token({ asset: 'a1' });
    const url = (file: string) => `/t/${token}/a/a1/${file}`;
    for (const file of [
      'master.m3u8',
      'v360/index.m3u8',
      'v360/seg_00001.m4s',
      'v360/seg_00002.m4s',
      'poster.jpg',
    ]) {
      await (await first.get(url(file))).body.dump();
    }
    await first.stopEdge(); // waits for the background disk writes
    await rotOnDisk(ctx.dataDir, key('v360/seg_00001.m4s'));
    await rotOnDisk(ctx.dataDir, key('v360/seg_00002.m4s'));

    const second = await startEdge({ ctx, originFixture: origin, identity });
    cleanups.push(() => second.stopEdge());
    // The origin is up: the bad copy is dropped and the object fetched again.
    const refetched = await second.get(url('v360/seg_00001.m4s'));
    expect(refetched.statusCode).toBe(200);
    expect(refetched.headers['x-cache']).toBe('MISS');
    expect(Buffer.from(await refetched.body.arrayBuffer()).equals(bytesOf(key('v360/seg_00001.m4s')))).toBe(
      true,
    );
    expect(origin.fetchesOf(key('v360/seg_00001.m4s'))).toBe(2);
    expect(await corruptCount(second.url)).toBe(1);

    // The origin is down: an error, never the bad bytes.
    await origin.stop();
    const failed = await second.get(url('v360/seg_00002.m4s'));
    expect(failed.statusCode).toBe(502);
    expect(await failed.body.json()).toMatchObject({ code: 'edge.origin_unavailable' });
    expect(await corruptCount(second.url)).toBe(2);
    // Untouched objects still come from disk with the origin down, verified.
    const intact = await second.get(url('poster.jpg'));
    expect(intact.statusCode).toBe(200);
    expect(intact.headers['x-cache']).toBe('HIT-DISK');
    await intact.body.dump();
    await origin.restart();
  });

  it('calls bytes from the origin that fail their ETag origin_invalid, and keeps them out of the tiers', async () => {
    const e = await startEdge();
    cleanups.push(() => e.close());
    putAsset(e.origin, 'a2');
    e.origin.rot('assets/a2/v360/seg_00001.m4s');
    const url = `/t/${e.token({ asset: 'a2' })}/a/a2/v360/seg_00001.m4s`;
    await (await e.get(`/t/${e.token({ asset: 'a2' })}/a/a2/master.m3u8`)).body.dump();
    const res = await e.get(url);
    expect(res.statusCode).toBe(502);
    expect(await res.body.json()).toMatchObject({ code: 'edge.origin_invalid' });
    e.origin.rot('assets/a2/v360/seg_00001.m4s', false);
    const healed = await e.get(url);
    expect(healed.statusCode).toBe(200);
    expect(Buffer.from(await healed.body.arrayBuffer()).equals(bytesOf('assets/a2/v360/seg_00001.m4s'))).toBe(
      true,
    );
  });
});
