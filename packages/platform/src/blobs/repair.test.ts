import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBlobStore } from './index.js';
import { HEADER_BYTES } from './object-file.js';
import type { BlobStore } from './port.js';
import { repairFromCopy, type GoodCopies } from './repair.js';

/** Two real filesystem stores: the live one with a rotted object, and a copy store keyed by content. */
describe('repairing a corrupt object from a good copy', () => {
  const dirs: string[] = [];
  const stores: BlobStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function setup() {
    const dir = await mkdtemp(join(tmpdir(), 'blob-repair-'));
    dirs.push(dir);
    const live = await openBlobStore({ root: join(dir, 'live') });
    const backup = await openBlobStore({ root: join(dir, 'backup') });
    stores.push(live, backup);
    const info = await live.put('assets/a1/seg1.m4s', Buffer.from('the segment bytes'), {
      contentType: 'video/mp4',
    });
    const copies: GoodCopies = {
      async open(sha256) {
        return (await backup.head(`content/${sha256}`))
          ? (await backup.get(`content/${sha256}`)).body
          : undefined;
      },
    };
    // Bit rot: flip a byte of the body on disk, behind the store's back.
    const rot = async () => {
      const file = await open(join(dir, 'live', 'objects', info.key), 'r+');
      await file.write(Buffer.from('X'), 0, 1, HEADER_BYTES + 4);
      await file.close();
    };
    const liveHash = async () => {
      const hash = createHash('sha256');
      for await (const chunk of (await live.get(info.key)).body) hash.update(chunk as Buffer);
      return hash.digest('hex');
    };
    return { live, backup, info, copies, rot, liveHash };
  }

  it('puts the good bytes back when the copy holds them', async () => {
    const { live, backup, info, copies, rot, liveHash } = await setup();
    await backup.put(`content/${info.sha256}`, Buffer.from('the segment bytes'));
    await rot();
    expect(await liveHash()).not.toBe(info.sha256);
    expect(await repairFromCopy(live, info, copies)).toBe('repaired');
    expect(await liveHash()).toBe(info.sha256);
    expect((await live.head(info.key))?.contentType).toBe('video/mp4');
  });

  it('reports when there is no copy, and never writes a corrupt copy over the object', async () => {
    const { live, backup, info, copies, rot, liveHash } = await setup();
    await rot();
    const rotten = await liveHash();
    expect(await repairFromCopy(live, info, copies)).toBe('no-copy');
    await backup.put(`content/${info.sha256}`, Buffer.from('not the same bytes'));
    expect(await repairFromCopy(live, info, copies)).toBe('copy-corrupt');
    expect(await liveHash()).toBe(rotten); // untouched
  });
});
