import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableFolders } from './durable-folders.js';

describe('which folders a put fsyncs', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function setup() {
    const root = await mkdtemp(join(tmpdir(), 'durable-folders-'));
    dirs.push(root);
    const synced: string[] = [];
    const folders = new DurableFolders(root, async (path) => void synced.push(path.slice(root.length)));
    const put = async (folder: string) => {
      synced.length = 0;
      await folders.make(join(root, folder));
      await folders.persist(join(root, folder));
      return [...synced];
    };
    return { root, folders, put };
  }

  it('syncs the folder and each parent that gained a folder, once per folder', async () => {
    const { put } = await setup();
    expect(await put('a/b/c')).toEqual(['/a/b/c', '/a/b', '/a', '']);
    expect(await put('a/b/c')).toEqual(['/a/b/c']);
    expect(await put('a/b/d')).toEqual(['/a/b/d', '/a/b']);
  });

  it('syncs a folder again once it was pruned and made anew, by us or by another process', async () => {
    const { root, folders, put } = await setup();
    await put('a/b/c');
    await rmdir(join(root, 'a/b/c'));
    folders.forget(join(root, 'a/b/c'));
    expect(await put('a/b/c')).toEqual(['/a/b/c', '/a/b']);
    // Pruned behind our back (no forget): make() sees it created the folder and forgets it itself.
    await rmdir(join(root, 'a/b/c'));
    await rmdir(join(root, 'a/b'));
    expect(await put('a/b/c')).toEqual(['/a/b/c', '/a/b', '/a']);
  });
});
