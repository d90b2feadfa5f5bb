import { openBlobStore } from '@marquee/platform';
import { readManifest } from '../../src/backup/catalogue.js';
import type { Manifest } from '../../src/backup/manifest.js';

/** A backup's manifest, read from a directory target as `marquee restore` reads it. */
export async function readBackupManifest(targetDir: string, id: string): Promise<Manifest> {
  const store = await openBlobStore({ root: targetDir });
  try {
    return await readManifest({ store, description: targetDir, prefix: '', close: () => store.close() }, id);
  } finally {
    await store.close();
  }
}
