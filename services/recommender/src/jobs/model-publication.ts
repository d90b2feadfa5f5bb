import type { Logger } from '@marquee/core';
import type { BlobStore } from '@marquee/platform';
import type { CatalogEntry } from '../app/catalog.js';
import { decodeSnapshot, encodeSnapshot, snapshotHash, SNAPSHOT_FORMAT } from '../app/snapshot-codec.js';
import type { ModelSnapshot } from '../app/training.js';

/** Where published snapshots live: `recommender/models/<version>`, and the pointer to the latest. */
export const MODELS_PREFIX = 'recommender/models/';
export const POINTER_KEY = 'recommender/latest-model.json';
/** Snapshots kept besides the latest, so a replica loading the previous one is not cut short. */
const KEEP_PREVIOUS = 1;

/** The pointer object: which snapshot is current, and the hash its bytes must have. */
export interface ModelPointer {
  format: number;
  version: string;
  key: string;
  sha256: string;
  size: number;
  publishedAt: string;
  replica: string;
}

function isPointer(value: unknown): value is ModelPointer {
  const p = value as Partial<ModelPointer> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.format === 'number' &&
    typeof p.version === 'string' &&
    typeof p.key === 'string' &&
    p.key.startsWith(MODELS_PREFIX) &&
    typeof p.sha256 === 'string' &&
    typeof p.size === 'number'
  );
}

async function readAll(blobs: BlobStore, key: string): Promise<Buffer> {
  const { body } = await blobs.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

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
      parsed = JSON.parse((await readAll(this.blobs, POINTER_KEY)).toString('utf8'));
    } catch {
      throw new Error('the model pointer is not JSON');
    }
    if (!isPointer(parsed)) throw new Error('the model pointer does not have the expected fields');
    return parsed;
  }

  /** Loads and validates the snapshot a pointer names (IncompatibleSnapshotError when it cannot be used). */
  async load(pointer: ModelPointer): Promise<ModelSnapshot> {
    return decodeSnapshot(await readAll(this.blobs, pointer.key), pointer);
  }

  private async prune(current: string): Promise<void> {
    const older: { key: string; at: number }[] = [];
    for await (const info of this.blobs.list(MODELS_PREFIX))
      if (info.key !== current) older.push({ key: info.key, at: info.lastModified.getTime() });
    older.sort((a, b) => b.at - a.at);
    for (const { key } of older.slice(KEEP_PREVIOUS)) await this.blobs.delete(key);
  }
}
