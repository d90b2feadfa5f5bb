import type { Logger } from '@marquee/core';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { readWholeBlob, type BlobStore } from '@marquee/platform';
import type { CatalogEntry } from '../app/catalog.js';
import { decodeSnapshot, encodeSnapshot, snapshotHash, SNAPSHOT_FORMAT } from '../app/snapshot-codec.js';
import type { ModelSnapshot } from '../app/training.js';

/** Where published snapshots live: `recommender/models/<version>`, and the pointer to the latest. */
export const MODELS_PREFIX = 'recommender/models/';
export const POINTER_KEY = 'recommender/latest-model.json';
/** Snapshots kept besides the latest, so a replica loading the previous one is not cut short. */
const KEEP_PREVIOUS = 1;

/** The pointer object: which snapshot is current, and the hash its bytes must have. */
const ModelPointerSchema = Type.Object({
  format: Type.Number(),
  version: Type.String(),
  key: Type.String({ pattern: `^${MODELS_PREFIX}` }),
  sha256: Type.String(),
  size: Type.Number(),
  publishedAt: Type.String(),
  replica: Type.String(),
});
export type ModelPointer = Static<typeof ModelPointerSchema>;
const pointerCheck = TypeCompiler.Compile(ModelPointerSchema);

/**
 * Model snapshots on the blobs port. Publishing writes the snapshot under its version, then replaces
 * the pointer: blob writes are atomic, so a reader sees either the old pointer (to a complete old
 * snapshot) or the new one (to a complete new snapshot), never half of one.
 */
export class ModelPublication {
  constructor(
    private readonly blobs: BlobStore,
    private readonly logger: Logger,
  ) {}

  async publish(
    snapshot: ModelSnapshot,
    titles: readonly CatalogEntry[],
    replica: string,
  ): Promise<ModelPointer> {
    const bytes = encodeSnapshot(snapshot, titles);
    const key = `${MODELS_PREFIX}${snapshot.version}`;
    await this.blobs.put(key, bytes, { contentType: 'application/octet-stream' });
    const pointer: ModelPointer = {
      format: SNAPSHOT_FORMAT,
      version: snapshot.version,
      key,
      sha256: snapshotHash(bytes),
      size: bytes.length,
      publishedAt: new Date().toISOString(),
      replica,
    };
    await this.blobs.put(POINTER_KEY, JSON.stringify(pointer), { contentType: 'application/json' });
    await this.prune(key).catch((err: unknown) =>
      this.logger.warn({ err }, 'could not remove old model snapshots; next publication retries'),
    );
    return pointer;
  }

  /** The current pointer; undefined when nothing was published yet. Throws on an unreadable one. */
  async pointer(): Promise<ModelPointer | undefined> {
    if (!(await this.blobs.head(POINTER_KEY))) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse((await readWholeBlob(this.blobs, POINTER_KEY)).toString('utf8'));
    } catch {
      throw new Error('the model pointer is not JSON');
    }
    if (!pointerCheck.Check(parsed)) throw new Error('the model pointer does not have the expected fields');
    return parsed;
  }

  /** Loads and validates the snapshot a pointer names (IncompatibleSnapshotError when it cannot be used). */
  async load(pointer: ModelPointer): Promise<ModelSnapshot> {
    return decodeSnapshot(await readWholeBlob(this.blobs, pointer.key), pointer);
  }

  private async prune(current: string): Promise<void> {
    const older: { key: string; at: number }[] = [];
    for await (const info of this.blobs.list(MODELS_PREFIX))
      if (info.key !== current) older.push({ key: info.key, at: info.lastModified.getTime() });
    older.sort((a, b) => b.at - a.at);
    for (const { key } of older.slice(KEEP_PREVIOUS)) await this.blobs.delete(key);
  }
}
