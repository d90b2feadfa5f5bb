import { TalliedCounter, type Tally } from '@marquee/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CmcdSample } from './app/cmcd.js';

export type ServedFrom = 'ram' | 'disk' | 'origin' | 'coalesced';

/**
 * What an operator watches on an edge: hit ratio per tier, bytes served, origin fetches. The hit
 * ratio of a tier is hits / lookups that reached it (RAM sees every request; disk only RAM misses).
 */
export interface EdgeMetrics {
  /** Per-request counts are tallies (see TalliedCounter): bound label sets, plain additions. */
  lookups: Record<'ram' | 'disk', { hit: Tally; miss: Tally }>;
  served: Record<ServedFrom, Tally>;
  bytesServed: Tally;
  originFetches: Counter<'outcome'>;
  originBytes: Counter;
  refusals: Counter<'code'>;
  /** Disk-tier objects dropped because their bytes no longer matched their hash. */
  diskCorrupt: Counter;
  /** Fills weighed by the disk tier's admission policy once it was full, by result. */
  diskAdmissions: Counter<'result'>;
  byteHitRatio: Gauge;
  hitRatio: Gauge<'tier'>;
  tierBytes: Gauge<'tier'>;
  tierObjects: Gauge<'tier'>;
  /**
   * Hit ratios since start: RAM, disk (of RAM misses), overall (served from either tier) and of bytes
   * (1 − origin bytes / bytes served), with the bytes filled from the origin (its egress to this edge).
   */
  hitRatios: () => Promise<{ ram: number; disk: number; total: number; bytes: number; originBytes: number }>;
  /** Records what a player said about itself in a media request's CMCD (app/cmcd.ts). */
  cmcd: (sample: CmcdSample) => void;
}

export function createEdgeMetrics(
  registry: Registry,
  tiers: { ram: () => { bytes: number; count: number }; disk: () => { bytes: number; count: number } },
): EdgeMetrics {
  const registers = [registry];
  const lookupTally = new TalliedCounter({
    name: 'edge_cache_lookups_total',
    help: 'Cache tier lookups by tier and result (hit/miss)',
    labelNames: ['tier', 'result'] as const,
    registers,
  });
  const lookups = lookupTally.counter;
  const lookupsOf = (tier: 'ram' | 'disk') => ({
    hit: lookupTally.slot({ tier, result: 'hit' }),
    miss: lookupTally.slot({ tier, result: 'miss' }),
  });
  const served = new TalliedCounter({
    name: 'edge_responses_total',
    help: 'Media responses by where the object came from',
    labelNames: ['from'] as const,
    registers,
  });
  const bytesServed = new TalliedCounter({
    name: 'edge_bytes_served_total',
    help: 'Body bytes sent to viewers',
    registers,
  });
  const ratio = async (tier: string) => {
    const values = (await lookups.get()).values.filter((v) => v.labels.tier === tier);
    const hits = values.find((v) => v.labels.result === 'hit')?.value ?? 0;
    const total = values.reduce((sum, v) => sum + v.value, 0);
    return total === 0 ? 0 : hits / total;
  };
  const hitRatio = new Gauge({
    name: 'edge_cache_hit_ratio',
    help: 'Hits / lookups per cache tier since start',
    labelNames: ['tier'] as const,
    registers,
    async collect() {
      for (const tier of ['ram', 'disk']) this.set({ tier }, await ratio(tier));
    },
  });
  const tierBytes = new Gauge({
    name: 'edge_cache_bytes',
    help: 'Bytes held per cache tier',
    labelNames: ['tier'] as const,
    registers,
    collect() {
      this.set({ tier: 'ram' }, tiers.ram().bytes);
      this.set({ tier: 'disk' }, tiers.disk().bytes);
    },
  });
  const tierObjects = new Gauge({
    name: 'edge_cache_objects',
    help: 'Objects held per cache tier',
    labelNames: ['tier'] as const,
    registers,
    collect() {
      this.set({ tier: 'ram' }, tiers.ram().count);
      this.set({ tier: 'disk' }, tiers.disk().count);
    },
  });
  const originBytes = new Counter({
    name: 'edge_origin_bytes_total',
    help: 'Bytes filled from the origin (the origin egress this edge causes)',
    registers,
  });
  const byteHitRatio = new Gauge({
    name: 'edge_byte_hit_ratio',
    help: 'Share of the bytes served that did not come from the origin since start: 1 - origin bytes / bytes served',
    registers,
    async collect() {
      this.set((await hitRatios()).bytes);
    },
  });
  const count = async (tier: string, result?: string) =>
    (await lookups.get()).values
      .filter((v) => v.labels.tier === tier && (result === undefined || v.labels.result === result))
      .reduce((sum, v) => sum + v.value, 0);
  const hitRatios = async () => {
    const [ramLookups, ramHits, diskHits] = await Promise.all([
      count('ram'),
      count('ram', 'hit'),
      count('disk', 'hit'),
    ]);
    const filled = (await originBytes.get()).values[0]?.value ?? 0;
    const served = (await bytesServed.counter.get()).values[0]?.value ?? 0;
    return {
      ram: await ratio('ram'),
      disk: await ratio('disk'),
      // RAM sees every lookup, so it is the denominator of the overall ratio.
      total: ramLookups === 0 ? 0 : (ramHits + diskHits) / ramLookups,
      bytes: served === 0 ? 0 : Math.max(0, 1 - filled / served),
      originBytes: filled,
    };
  };
  // CMCD (CTA-5004): the players' own view of this edge's delivery. Starvations per second per edge
  // is the rebuffering rate an operator alerts on; buffer length and measured throughput say whether
  // viewers of this edge play with a thin margin or on slow links (docs/analytics.md).
  const cmcdStarved = new Counter({
    name: 'edge_cmcd_buffer_starvation_total',
    help: 'Media requests whose CMCD says the player rebuffered since its previous request (bs)',
    registers,
  });
  const cmcdBuffer = new Histogram({
    name: 'edge_cmcd_buffer_length_seconds',
    help: 'Media ahead of the playhead when the player asked for an object (CMCD bl)',
    buckets: [0.5, 1, 2, 4, 8, 15, 30, 60],
    registers,
  });
  const cmcdThroughput = new Histogram({
    name: 'edge_cmcd_measured_throughput_kbps',
    help: 'Throughput the player measured, kbit/s (CMCD mtp)',
    buckets: [250, 500, 1000, 2000, 4000, 8000, 16000, 50000, 100000],
    registers,
  });
  const cmcd = (sample: CmcdSample) => {
    if (sample.bufferStarved) cmcdStarved.inc();
    if (sample.bufferLengthMs !== undefined) cmcdBuffer.observe(sample.bufferLengthMs / 1000);
    if (sample.throughputKbps !== undefined) cmcdThroughput.observe(sample.throughputKbps);
  };
  return {
    cmcd,
    lookups: { ram: lookupsOf('ram'), disk: lookupsOf('disk') },
    served: {
      ram: served.slot({ from: 'ram' }),
      disk: served.slot({ from: 'disk' }),
      origin: served.slot({ from: 'origin' }),
      coalesced: served.slot({ from: 'coalesced' }),
    },
    bytesServed: bytesServed.slot(),
    hitRatio,
    hitRatios,
    tierBytes,
    tierObjects,
    originFetches: new Counter({
      name: 'edge_origin_fetches_total',
      help: 'Fetches from the origin by outcome (ok, not_found, error)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    originBytes,
    diskAdmissions: new Counter({
      name: 'edge_disk_admissions_total',
      help: 'Fills the full disk tier weighed (TinyLFU): admitted (pushing out less wanted objects) or rejected',
      labelNames: ['result'] as const,
      registers,
    }),
    byteHitRatio,
    diskCorrupt: new Counter({
      name: 'edge_disk_corrupt_objects_total',
      help: 'Disk-tier objects whose bytes failed their SHA-256 on read: dropped and refetched, never served',
      registers,
    }),
    refusals: new Counter({
      name: 'edge_refusals_total',
      help: 'Requests refused (403) by problem code',
      labelNames: ['code'] as const,
      registers,
    }),
  };
}
