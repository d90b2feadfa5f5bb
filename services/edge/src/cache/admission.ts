/**
 * TinyLFU admission for the disk tier (Einziger, Friedman & Manes, "TinyLFU: A Highly Efficient Cache
 * Admission Policy", 2017; what Caffeine does): an object filled from the origin replaces what LRU
 * would evict only if it has been asked for more often, recently, than those objects. A title watched
 * once (most of a catalog's long tail) then never pushes out the segments of titles people keep
 * watching, which plain LRU does with every one-off view.
 *
 * Frequencies are approximate and bounded in memory: a count-min sketch of 8-bit counters (four
 * rows), halved every `sampleSize` recordings so that yesterday's hit fades. Segments of one asset
 * share its popularity — a viewer's next segment is of the title they are watching — so an object
 * under `assets/<id>/` counts as its own frequency or its asset's share, whichever is higher.
 */
export class FrequencySketch {
  private readonly table: Uint8Array;
  private readonly mask: number;
  private recorded = 0;

  constructor(
    /** Distinct objects expected to matter (sizes the table: 8 counters of 4 rows each). */
    expectedObjects: number,
    /** Recordings between halvings (default 10× the objects, as TinyLFU suggests). */
    private readonly sampleSize = Math.max(1024, expectedObjects * 10),
  ) {
    const width = 2 ** Math.ceil(Math.log2(Math.max(64, expectedObjects * 2)));
    this.table = new Uint8Array(width * 4);
    this.mask = width - 1;
  }

  record(key: string): void {
    const h = hash(key);
    for (let row = 0; row < 4; row++) {
      const at = this.slot(h, row);
      if (this.table[at]! < 255) this.table[at]!++;
    }
    if (++this.recorded >= this.sampleSize) this.halve();
  }

  frequency(key: string): number {
    const h = hash(key);
    let min = 255;
    for (let row = 0; row < 4; row++) min = Math.min(min, this.table[this.slot(h, row)]!);
    return min;
  }

  private slot(h: number, row: number): number {
    // Double hashing: row i probes h1 + i·h2 (Kirsch & Mitzenmacher).
    const h2 = Math.imul(h, 0x9e3779b1) | 1;
    return row * (this.mask + 1) + (((h + Math.imul(row, h2)) >>> 0) & this.mask);
  }

  private halve(): void {
    this.recorded = Math.floor(this.recorded / 2);
    for (let i = 0; i < this.table.length; i++) this.table[i]! >>>= 1;
  }
}

/** FNV-1a over the UTF-16 code units, 32-bit. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const ASSET_OF = /^(assets\/[^/]+\/)/;

/** The admission decision the disk tier asks before it evicts anything for a new object. */
export class TinyLfuAdmission {
  private readonly keys: FrequencySketch;
  private readonly assets: FrequencySketch;

  constructor(
    expectedObjects: number,
    /** How many objects of an asset one asset-level request is worth (about a view's segments). */
    private readonly assetShare = 8,
    /** Recordings between halvings, in multiples of expectedObjects. */
    ageing = 10,
  ) {
    this.keys = new FrequencySketch(expectedObjects, expectedObjects * ageing);
    this.assets = new FrequencySketch(
      Math.max(64, Math.ceil(expectedObjects / 16)),
      expectedObjects * ageing,
    );
  }

  /** Counts one request for `key` (each lookup that reaches the disk tier or the origin). */
  record(key: string): void {
    this.keys.record(key);
    const asset = ASSET_OF.exec(key)?.[1];
    if (asset) this.assets.record(asset);
  }

  /** How often `key` was asked for lately, its asset's popularity included. */
  estimate(key: string): number {
    const own = this.keys.frequency(key);
    const asset = ASSET_OF.exec(key)?.[1];
    return asset ? Math.max(own, this.assets.frequency(asset) / this.assetShare) : own;
  }

  /** Admit `candidate` when it is wanted more than every object it would push out. */
  admit(candidate: string, victims: readonly string[]): boolean {
    const wanted = this.estimate(candidate);
    for (const victim of victims) if (this.estimate(victim) >= wanted) return false;
    return true;
  }
}
