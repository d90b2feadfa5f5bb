import { ByteLru } from '../../services/edge/src/cache/byte-lru.js';
import type { TinyLfuAdmission } from '../../services/edge/src/cache/admission.js';
import type { Trace } from './trace.js';

/**
 * The edge's tiers replayed offline (no HTTP): an LRU RAM tier in front of an LRU disk tier, with or
 * without TinyLFU admission to disk, counting the bytes that would come from the origin. Used to pick
 * the policy's parameters before the live run measures the real edge.
 */
export function simulateEdge(
  trace: Trace,
  options: { diskBytes: number; ramBytes: number; admission?: TinyLfuAdmission; recordRamHits?: boolean },
): { byteHitRatio: number; originBytes: number } {
  const disk = new ByteLru<true>(options.diskBytes);
  const ram = new ByteLru<true>(options.ramBytes);
  let originBytes = 0;
  for (const key of trace.requests) {
    const size = trace.sizes.get(key)!;
    if (ram.get(key)) {
      if (options.recordRamHits) options.admission?.record(key);
      continue;
    }
    options.admission?.record(key);
    if (!disk.get(key)) {
      originBytes += size;
      const victims = disk.victimsFor(size);
      if (!options.admission || victims.length === 0 || options.admission.admit(key, victims)) {
        disk.set(key, true, size);
      }
    }
    if (size <= options.ramBytes / 16) ram.set(key, true, size);
  }
  return { byteHitRatio: 1 - originBytes / trace.requestedBytes, originBytes };
}
