import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBlobStore, readWholeBlob, type BlobStore } from '@marquee/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { backupBlobs, restoreBlobs } from './blob-copy.js';
import { targetKeys } from '@marquee/platform';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function store(): Promise<{ root: string; blobs: BlobStore }> {
  const root = await mkdtemp(join(tmpdir(), 'marquee-blobcopy-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  return { root, blobs: await openBlobStore({ root }) };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Flips one byte of an object's body on disk, behind the store's back (a bad sector, a stray write). */
async function corrupt(root: string, key: string): Promise<void> {
  const file = await open(join(root, 'objects', key), 'r+');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 4096);
    byte[0] = byte[0]! ^ 0xff;
    await file.write(byte, 0, 1, 4096);
  } finally {
    await file.close();
  }
}

describe('backupBlobs', () => {
  it('copies each content once: a second backup and a second key with the same bytes copy nothing', async () => {
    const source = await store();
    const target = await store();
    await source.blobs.put('assets/a1/seg_1.m4s', 'segment one');
    await source.blobs.put('assets/a1/seg_2.m4s', 'segment two');
    await source.blobs.put('assets/a2/seg_1.m4s', 'segment one'); // same bytes as a1's first
    const first = await backupBlobs(source.blobs, target.blobs);
    expect(first).toMatchObject({ copied: 2, alreadyThere: 1, corrupt: [] });
    expect(first.entries.map((e) => [e.key, e.sha256])).toEqual([
      ['assets/a1/seg_1.m4s', sha('segment one')],
      ['assets/a1/seg_2.m4s', sha('segment two')],
      ['assets/a2/seg_1.m4s', sha('segment one')],
    ]);
    const again = await backupBlobs(source.blobs, target.blobs);
    expect(again).toMatchObject({ copied: 0, alreadyThere: 3, bytesCopied: 0 });
    expect((await readWholeBlob(target.blobs, targetKeys.content(sha('segment two')))).toString()).toBe(
      'segment two',
    );
  });

  it('leaves out an object whose bytes no longer hash to its recorded SHA-256, and says which', async () => {
    const source = await store();
    const target = await store();
    await source.blobs.put('assets/a1/seg_1.m4s', 'good bytes');
    await source.blobs.put('assets/a1/seg_2.m4s', 'rotting bytes');
    await corrupt(source.root, 'assets/a1/seg_2.m4s');
    const result = await backupBlobs(source.blobs, target.blobs);
    expect(result.entries.map((e) => e.key)).toEqual(['assets/a1/seg_1.m4s']);
    expect(result.corrupt).toEqual([
      expect.stringContaining(`assets/a1/seg_2.m4s: recorded ${sha('rotting bytes')}`),
    ]);
    expect(await target.blobs.head(targetKeys.content(sha('rotting bytes')))).toBeUndefined();
  });
});

describe('restoreBlobs', () => {
  it('writes every object back under its key, and reports a copy in the target that went bad', async () => {
    const source = await store();
    const target = await store();
    await source.blobs.put('assets/a1/seg_1.m4s', 'one', { contentType: 'video/mp4' });
    await source.blobs.put('posters/a1.jpg', 'two', { contentType: 'image/jpeg' });
    const { entries } = await backupBlobs(source.blobs, target.blobs);

    const fresh = await store();
    expect(await restoreBlobs(entries, target.blobs, fresh.blobs)).toEqual([]);
    expect(await fresh.blobs.head('assets/a1/seg_1.m4s')).toMatchObject({
      sha256: sha('one'),
      contentType: 'video/mp4',
    });
    expect((await readWholeBlob(fresh.blobs, 'posters/a1.jpg')).toString()).toBe('two');

    await corrupt(target.root, targetKeys.content(sha('two')));
    const another = await store();
    const problems = await restoreBlobs(entries, target.blobs, another.blobs);
    expect(problems).toEqual([
      expect.stringMatching(/^posters\/a1\.jpg: expected [0-9a-f]{64}, the backup holds/),
    ]);
    expect(await another.blobs.head('posters/a1.jpg')).toBeUndefined();
    await target.blobs.delete(targetKeys.content(sha('one')));
    expect(await restoreBlobs(entries.slice(0, 1), target.blobs, another.blobs)).toEqual([
      expect.stringContaining('is missing from the backup target'),
    ]);
  });
});
