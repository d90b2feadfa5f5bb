import { ByteLru } from '../../services/edge/src/cache/byte-lru.js';
import type { TinyLfuAdmission } from '../../services/edge/src/cache/admission.js';
import type { ViewingPopularity } from '../../services/edge/src/cache/viewing-popularity.js';
import { PopularityReplacement } from '../../services/edge/src/cache/viewing-popularity.js';
import type { Trace } from './trace.js';

/** What the edge's disk tier counts per object besides its body (its sidecar). */
const OVERHEAD_BYTES = 4096;
/** The simulated clock: the live replay answers about 40 requests a second. */
const MS_PER_REQUEST = 25;

/**
 * The edge's tiers replayed offline (no HTTP): an LRU RAM tier in front of a disk tier that is plain
 * LRU, LRU with TinyLFU admission, or replaced by viewing popularity (the edge's default), counting
 * the bytes that would come from the origin. Used to pick the policy's parameters before the live run
 * measures the real edge.
 */
export function simulateEdge(
  trace: Trace,
  options: {
    diskBytes: number;
    ramBytes: number;
    admission?: TinyLfuAdmission;
    popularity?: ViewingPopularity;
    recordRamHits?: boolean;
  },
): { byteHitRatio: number; originBytes: number } {
  const disk = new ByteLru<true>(options.diskBytes);
  const ram = new ByteLru<true>(options.ramBytes);
  const replacement = options.popularity && new PopularityReplacement(options.popularity, () => now);
  let now = 0;
  let originBytes = 0;
  for (let i = 0; i < trace.requests.length; i++) {
    const key = trace.requests[i]!;
    const size = trace.sizes.get(key)!;
    now = i * MS_PER_REQUEST;
    options.popularity?.record(key, `view-${trace.viewOf[i]}`, now);
    if (ram.get(key)) {
      if (options.recordRamHits) options.admission?.record(key);
      continue;
    }
    options.admission?.record(key);
    if (!disk.get(key)) {
      originBytes += size;
      const cost = size + OVERHEAD_BYTES;
      if (replacement) {
        const need = disk.bytes + cost - disk.maxBytes;
        const held = [...disk.keys()].map((k) => ({ key: k, size: trace.sizes.get(k)! + OVERHEAD_BYTES }));
        const victims = need > 0 ? replacement.choose(key, need, held) : [];
        if (victims) {
          for (const victim of victims) disk.delete(victim);
          disk.set(key, true, cost);
        }
      } else {
        const victims = disk.victimsFor(cost);
        if (!options.admission || victims.length === 0 || options.admission.admit(key, victims)) {
          disk.set(key, true, cost);
        }
      }
    }
    if (size <= options.ramBytes / 16) ram.set(key, true, size);
  }
  return { byteHitRatio: 1 - originBytes / trace.requestedBytes, originBytes };
}
