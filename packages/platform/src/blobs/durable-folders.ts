import { mkdir, open } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { LRUCache } from 'lru-cache';

/**
 * Why folders are fsynced, and which (the crash-consistency argument of the filesystem blob store):
 *
 * A put is acknowledged only when a power cut right after it would still leave the whole object under
 * its key. That takes three things on disk, in this order:
 *   1. the file's bytes and header — fsync of the temp file BEFORE the rename, else the rename could
 *      reach the disk first and a crash publish a file of zeros under the key;
 *   2. the rename — it is an entry in the object's folder, so that folder is fsynced after it;
 *   3. every folder made for the key (`assets/a1/720p/`) — each is itself an entry in its parent, so
 *      each parent that gained a folder is fsynced too; without it a crash can drop a whole new folder
 *      with the fsynced object inside (POSIX promises nothing else; ext4's ordering often hides it).
 * Before the acknowledgement a crash leaves either the old object or the new one (rename is atomic)
 * plus at worst a temp file, which the next open removes. Deletes are not made durable: a crash may
 * bring a deleted object back, never a half one.
 *
 * Step 3 costs one fsync per path segment, so folders whose entry this process has already made
 * durable are remembered (bounded; forgetting one only costs an extra fsync) and skipped. A folder
 * made anew — by us, or again after a prune — is forgotten first, so it is never wrongly skipped.
 */
export class DurableFolders {
  /** Folders (absolute paths under root) whose entry in their parent is known to be on disk. */
  readonly #known = new LRUCache<string, true>({ max: 10_000 });

  constructor(
    private readonly root: string,
    private readonly syncFolder: (path: string) => Promise<void> = fsyncFolder,
  ) {}

  /** mkdir -p of `folder` (under root), forgetting what was known about any folder it creates. */
  async make(folder: string): Promise<void> {
    const first = await mkdir(folder, { recursive: true });
    if (first === undefined) return;
    // Every folder from `first` down to `folder` is new: whatever was known about those paths is stale.
    for (let dir = folder; isInside(this.root, dir); dir = dirname(dir)) {
      this.#known.delete(dir);
      if (dir === first) break;
    }
  }

  /** After a rename into `folder`: makes the rename and every not-yet-durable folder above it durable. */
  async persist(folder: string): Promise<void> {
    await this.syncFolder(folder);
    for (let dir = folder; isInside(this.root, dir) && !this.#known.has(dir); dir = dirname(dir)) {
      await this.syncFolder(dirname(dir));
      this.#known.set(dir, true);
    }
  }

  /** `folder` was removed: a folder made again at that path is new and must be persisted again. */
  forget(folder: string): void {
    this.#known.delete(folder);
  }
}

/** True for a folder strictly below root (root itself is made durable once, at open). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}

/** fsync of a folder: what makes the entries added to (or renamed into) it survive a power cut. */
export async function fsyncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * mkdir -p at open time, made durable: each folder created gets its entry fsynced in its parent, so
 * the store's own `objects/` cannot vanish in a crash after the first acknowledged put.
 */
export async function makeFoldersDurably(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true });
  if (first === undefined) return;
  for (let dir = path; ; dir = dirname(dir)) {
    await fsyncFolder(dirname(dir));
    if (dir === first) return;
  }
}
