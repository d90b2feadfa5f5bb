import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from './port.js';

/**
 * Somewhere a good copy of an object may be found by its SHA-256: the seam between the integrity
 * scrubber and the backup target. The backup target stores blob bytes by content
 * (`content/sha256/<2 hex>/<64 hex>`, packages/cli/src/backup/target.ts), so it implements this with
 * one `get`; wiring the scrubber (services/storage/src/jobs/scrub.ts) to it is the backup side's part.
 */
export interface GoodCopies {
  /** The bytes recorded under `sha256`, or undefined when this source holds none. */
  open(sha256: string): Promise<Readable | undefined>;
}

/** repaired: the object is whole again · no-copy: nothing to repair from · copy-corrupt: the copy is bad too. */
export type RepairOutcome = 'repaired' | 'no-copy' | 'copy-corrupt';

async function sha256Of(body: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Puts back the object `info` describes (found corrupt: its bytes no longer hash to info.sha256) from
 * a good copy. The copy is hashed in full BEFORE anything is written, so a corrupt copy never replaces
 * the live object; the put is the store's atomic, durable one, and the hash it computes is checked
 * again (the copy could change between the two reads).
 */
export async function repairFromCopy(
  live: BlobStore,
  info: Pick<BlobInfo, 'key' | 'sha256' | 'contentType'>,
  copies: GoodCopies,
): Promise<RepairOutcome> {
  const first = await copies.open(info.sha256);
  if (first === undefined) return 'no-copy';
  if ((await sha256Of(first)) !== info.sha256) return 'copy-corrupt';
  const second = await copies.open(info.sha256);
  if (second === undefined) return 'no-copy';
  const stored = await live.put(info.key, second, { contentType: info.contentType });
  return stored.sha256 === info.sha256 ? 'repaired' : 'copy-corrupt';
}
