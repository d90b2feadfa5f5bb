/**
 * A deterministic viewing trace: titles drawn by a Zipf law, each view playing consecutive segments
 * of one rendition from the start (or a resume point) for a drawn watch time, many viewers
 * interleaved as they would be on one edge. What a VOD edge sees, reduced to (key, size) requests.
 */

/** mulberry32: a small seeded PRNG, so a seed gives the same trace everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples ranks 0..n-1 with probability ∝ 1/(rank+1)^s. */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / (i + 1) ** s;
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface TraceOptions {
  seed: number;
  titles: number;
  /** Segments per title: uniform in [min, max]. */
  segments: [number, number];
  /** Segment bytes per title (its bitrate): uniform in [min, max]. */
  segmentBytes: [number, number];
  zipf: number;
  /** Viewers playing at once (interleaved round-robin, a new view replacing each finished one). */
  concurrentViewers: number;
  requests: number;
}

export interface Trace {
  /** Every object of the catalog with its size. */
  sizes: Map<string, number>;
  /** The keys requested, in order. */
  requests: string[];
  /** The view (one playback session) each request belongs to, numbered in the order views start. */
  viewOf: number[];
  catalogBytes: number;
  requestedBytes: number;
}

export const segmentKey = (title: number, segment: number) =>
  `assets/title-${title}/v720/seg_${String(segment).padStart(5, '0')}.m4s`;

export function makeTrace(options: TraceOptions): Trace {
  const random = seededRandom(options.seed);
  const between = ([min, max]: [number, number]) => min + Math.floor(random() * (max - min + 1));
  const sizes = new Map<string, number>();
  const lengths: number[] = [];
  for (let t = 0; t < options.titles; t++) {
    const count = between(options.segments);
    const bytes = between(options.segmentBytes);
    lengths.push(count);
    for (let s = 1; s <= count; s++) sizes.set(segmentKey(t, s), s === count ? Math.ceil(bytes / 2) : bytes);
  }
  const pick = zipfSampler(options.titles, options.zipf, random);
  let views = 0;
  const newView = () => {
    const title = pick();
    const id = views++;
    const length = lengths[title]!;
    // Most views start at the beginning; some resume. Watch time: the whole title for 30 %, else a
    // uniform share of what is left (people sample, stop, come back).
    const first = random() < 0.85 ? 1 : 1 + Math.floor(random() * length * 0.8);
    const left = length - first + 1;
    const watched = random() < 0.3 ? left : 1 + Math.floor(random() * left);
    return { id, title, next: first, last: first + watched - 1 };
  };
  const viewers = Array.from({ length: options.concurrentViewers }, newView);
  const requests: string[] = [];
  const viewOf: number[] = [];
  let requestedBytes = 0;
  for (let i = 0; requests.length < options.requests; i = (i + 1) % viewers.length) {
    const view = viewers[i]!;
    const key = segmentKey(view.title, view.next);
    requests.push(key);
    viewOf.push(view.id);
    requestedBytes += sizes.get(key)!;
    view.next++;
    if (view.next > view.last) viewers[i] = newView();
  }
  let catalogBytes = 0;
  for (const size of sizes.values()) catalogBytes += size;
  return { sizes, requests, viewOf, catalogBytes, requestedBytes };
}
