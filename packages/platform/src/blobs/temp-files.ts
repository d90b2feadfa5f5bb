import { randomUUID } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const TEMP_SUFFIX = '.part';
/** A writer that has not written for this long is dead: its process crashed or was killed mid-put. */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/** A name no other writer (thread, process or host sharing the volume) can pick. */
export function tempFileName(): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomUUID()}${TEMP_SUFFIX}`;
}

/**
 * Removes temp files last written before `olderThanMs` ago. Age, not pid liveness, decides: several
 * processes (or containers sharing a volume) may write into the same folder, and a live writer touches
 * its file with every chunk. Returns how many were removed.
 */
export async function removeStaleTempFiles(
  dir: string,
  olderThanMs = STALE_TEMP_MS,
  now = Date.now(),
): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir)) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    try {
      if (now - (await stat(path)).mtimeMs < olderThanMs) continue;
      await unlink(path);
      removed += 1;
    } catch (error) {
      // Another process finished or cleaned it between readdir and here.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}
