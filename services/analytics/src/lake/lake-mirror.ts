import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '@marquee/platform';

/** Where the lake's objects live in the bucket: `lake/<table>/date=YYYY-MM-DD/<part>.parquet`. */
export const LAKE_PREFIX = 'lake/';

/** Parquet's media type (IANA, 2024). */
const PARQUET_TYPE = 'application/vnd.apache.parquet';

/**
 * The lake's copy in the blob store, for S3 deployments: every part as a plain object (the Parquet
 * bytes, nothing around them) under `lake/`, the same relative paths as on disk, so Spark, Trino or
 * DuckDB with S3 access read `s3://<bucket>/lake/telemetry/*\/*.parquet` directly.
 *
 * The bucket is the truth and each replica's folder a mirror of it: a part is put before it is
 * renamed into the local partition, a compaction's or retention's deletions are made in both, and
 * `LakeStore.sync()` fetches what other replicas wrote and drops what they deleted. Paths are
 * relative to the lake's root, '/'-separated (`telemetry/date=2026-12-06/<part>.parquet`).
 */
export class LakeMirror {
  constructor(private readonly blobs: BlobStore) {}

  async put(path: string, file: string): Promise<void> {
    await this.blobs.put(LAKE_PREFIX + path, createReadStream(file), { contentType: PARQUET_TYPE });
  }

  async download(path: string, file: string): Promise<void> {
    const { body } = await this.blobs.get(LAKE_PREFIX + path);
    await pipeline(body, createWriteStream(file));
  }

  async delete(paths: readonly string[]): Promise<void> {
    for (const path of paths) await this.blobs.delete(LAKE_PREFIX + path);
  }

  /** Every part's path under `prefix` (relative to the lake's root, e.g. `telemetry/date=2026-12-06/`). */
  async list(prefix = ''): Promise<string[]> {
    const paths: string[] = [];
    for await (const info of this.blobs.list(LAKE_PREFIX + prefix)) {
      if (info.key.endsWith('.parquet')) paths.push(info.key.slice(LAKE_PREFIX.length));
    }
    return paths;
  }
}
