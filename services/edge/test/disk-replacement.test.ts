import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { DiskTier } from '../src/cache/disk-tier.js';
import { PopularityReplacement, ViewingPopularity } from '../src/cache/viewing-popularity.js';

const seg = (asset: string, n: number) => `assets/${asset}/v720/seg_${String(n).padStart(5, '0')}.m4s`;
const object = (key: string) => ({
  key,
  body: Buffer.alloc(10_000, key),
  etag: '"x"',
  contentType: 'video/iso.segment',
});

/** Body files (not sidecars) the tier has on disk. */
async function filesOnDisk(root: string): Promise<number> {
  let count = 0;
  for (const dir of await readdir(root)) {
    for (const file of await readdir(join(root, dir))) if (!file.endsWith('.json')) count++;
  }
  return count;
}

describe('disk tier with viewing-popularity replacement (real files)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('keeps what sessions play over a one-off, and deletes the files of what it replaces', async () => {
    const root = await mkdtemp(join(tmpdir(), 'marquee-disk-replacement-'));
    dirs.push(root);
    const viewing = new ViewingPopularity();
    // Room for two objects (10 kB each plus the 4 KiB counted per sidecar), not three.
    const disk = new DiskTier(root, 30_000, createLogger({ level: 'silent' }), {
      replacement: new PopularityReplacement(viewing),
      maxObjectBytes: 20_000,
    });
    await disk.open();
    const now = Date.now();
    for (const session of ['s1', 's2', 's3']) viewing.record(seg('popular', 1), session, now);
    viewing.record(seg('other', 1), 'o1', now);
    await disk.put(object(seg('popular', 1)));
    await disk.put(object(seg('other', 1)));

    // A title played once, by a session that has since moved on, does not push out the popular one…
    viewing.record(seg('oneoff', 1), 'x1', now);
    await disk.put(object(seg('oneoff', 1)));
    expect(await disk.get(seg('oneoff', 1))).toBeUndefined();
    expect(await disk.get(seg('popular', 1))).toBeDefined();

    // …but a title more sessions play replaces the least played one, whose files go.
    for (const session of ['r1', 'r2']) viewing.record(seg('rising', 1), session, now);
    await disk.put(object(seg('rising', 1)));
    expect(await disk.get(seg('rising', 1))).toBeDefined();
    expect(await disk.get(seg('other', 1))).toBeUndefined();
    expect(await disk.get(seg('popular', 1))).toBeDefined();
    expect(await filesOnDisk(root)).toBe(2);
    expect(disk.bytes).toBeLessThanOrEqual(30_000);
  });

  it('fills written at the same time never push the tier over budget (where LRU would evict the popular)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'marquee-disk-replacement-'));
    dirs.push(root);
    const viewing = new ViewingPopularity();
    // Room for three objects.
    const disk = new DiskTier(root, 45_000, createLogger({ level: 'silent' }), {
      replacement: new PopularityReplacement(viewing),
      maxObjectBytes: 20_000,
    });
    await disk.open();
    const now = Date.now();
    for (const session of ['s1', 's2', 's3']) viewing.record(seg('popular', 1), session, now);
    await disk.put(object(seg('popular', 1)));
    for (const title of ['b', 'c', 'd']) viewing.record(seg(title, 1), `${title}-viewer`, now);
    await Promise.all(['b', 'c', 'd'].map((title) => disk.put(object(seg(title, 1)))));
    expect(await disk.get(seg('popular', 1))).toBeDefined();
    expect(disk.bytes).toBeLessThanOrEqual(45_000);
    expect(await filesOnDisk(root)).toBe(3);
  });
});
