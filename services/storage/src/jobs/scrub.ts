import { createHash } from 'node:crypto';
import type { Logger } from '@marquee/core';
import { repairFromCopy, type BlobStore, type GoodCopies } from '@marquee/platform';
import { Counter, Gauge, type Registry } from 'prom-client';
import { STAGING_PREFIX } from '../staging.js';
import type { UploadStore } from '../store/uploads.js';

export interface ScrubResult {
  checked: number;
  /** Corrupt objects; `repaired` when a good copy from the backup target put them back. */
  mismatches: { key: string; expected: string; actual: string; repaired: boolean }[];
}

export function scrubMetrics(registry: Registry) {
  return {
    checked: new Counter({
      name: 'blob_scrub_objects_total',
      help: 'Objects re-hashed by the integrity scrubber',
      registers: [registry],
    }),
    mismatches: new Counter({
      name: 'blob_integrity_mismatches_total',
      help: 'Objects whose bytes no longer match the SHA-256 recorded when they were written',
      registers: [registry],
    }),
    repairs: new Counter({
      name: 'blob_repairs_total',
      help: 'Corrupt objects the scrubber tried to put back from a good copy in the backup target, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    lastRun: new Gauge({
      name: 'blob_scrub_last_run_timestamp_seconds',
      help: 'When the scrubber last finished',
      registers: [registry],
    }),
  };
}

/**
 * Re-hashes every stored object (one at a time, streaming, so memory stays flat) and reports any whose
 * bytes differ from the SHA-256 recorded at write: a metric, an error log line and a row for the admin.
 * With `copies` (the backup target), a corrupt object is put back from its good copy, found by the hash
 * it should have; one with no good copy stays reported.
 */
export async function scrubBlobs(
  blobs: BlobStore,
  uploads: UploadStore,
  logger: Logger,
  metrics: ReturnType<typeof scrubMetrics>,
  signal?: AbortSignal,
  copies?: GoodCopies,
): Promise<ScrubResult> {
  const result: ScrubResult = { checked: 0, mismatches: [] };
  for await (const info of blobs.list('')) {
    if (signal?.aborted) break;
    // On S3, tus staging shares the bucket: uploads in progress, which have no recorded hash.
    if (info.key.startsWith(STAGING_PREFIX)) continue;
    const hash = createHash('sha256');
    const { body } = await blobs.get(info.key);
    for await (const chunk of body) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    result.checked++;
    metrics.checked.inc();
    if (actual !== info.sha256) {
      metrics.mismatches.inc();
      const outcome = copies ? await repairFromCopy(blobs, info, copies) : 'no-copy';
      metrics.repairs.inc({ outcome });
      result.mismatches.push({
        key: info.key,
        expected: info.sha256,
        actual,
        repaired: outcome === 'repaired',
      });
      if (outcome === 'repaired') {
        logger.warn(
          { key: info.key, expected: info.sha256, actual },
          'corrupt object repaired from the backup target',
        );
        continue;
      }
      logger.error(
        { key: info.key, expected: info.sha256, actual, repair: outcome },
        'integrity mismatch: stored object is corrupt',
      );
      await uploads.recordMismatch(info.key, info.sha256, actual, new Date());
    }
  }
  metrics.lastRun.set(Date.now() / 1000);
  logger.info({ checked: result.checked, mismatches: result.mismatches.length }, 'integrity scrub finished');
  return result;
}
