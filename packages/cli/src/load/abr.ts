/**
 * Rendition choice as hls.js makes it (its EwmaBandWidthEstimator and AbrController, simplified):
 * two exponentially weighted averages of measured throughput, a fast one and a slow one, whose
 * minimum is the estimate; the first estimate is a low default so playback starts low; a switch up
 * needs the estimate to clear the variant's bandwidth by a wide margin (0.7), staying or going down
 * a narrow one (0.95).
 */
export interface Variant {
  bandwidth: number;
  height: number;
  uri: string;
}

/** hls.js defaults: abrEwmaFastVoD 3, abrEwmaSlowVoD 9 (half-lives in seconds of media). */
const FAST_HALF_LIFE_S = 3;
const SLOW_HALF_LIFE_S = 9;
/** hls.js abrEwmaDefaultEstimate: 500 kbit/s before any sample. */
export const DEFAULT_ESTIMATE_BPS = 500_000;
const UP_FACTOR = 0.7;
const KEEP_FACTOR = 0.95;

class Ewma {
  private estimate = 0;
  private totalWeight = 0;
  constructor(private readonly alpha: (weight: number) => number) {}
  sample(weight: number, value: number): void {
    const a = this.alpha(weight);
    this.estimate = value * (1 - a) + a * this.estimate;
    this.totalWeight += weight;
  }
  /** Corrected for the zero it started from, as hls.js does. */
  value(halfLife: number): number {
    const zeroFactor = 1 - Math.pow(0.5, this.totalWeight / halfLife);
    return zeroFactor > 0 ? this.estimate / zeroFactor : 0;
  }
  get weight(): number {
    return this.totalWeight;
  }
}

export class ThroughputEstimator {
  private readonly fast = new Ewma((w) => Math.pow(0.5, w / FAST_HALF_LIFE_S));
  private readonly slow = new Ewma((w) => Math.pow(0.5, w / SLOW_HALF_LIFE_S));

  /** One download: `bytes` in `ms`, weighted by the seconds of media it carried. */
  sample(mediaSeconds: number, bytes: number, ms: number): void {
    const bps = (bytes * 8 * 1000) / Math.max(ms, 1);
    const weight = Math.max(mediaSeconds, 0.1);
    this.fast.sample(weight, bps);
    this.slow.sample(weight, bps);
  }

  estimate(): number {
    if (this.fast.weight === 0) return DEFAULT_ESTIMATE_BPS;
    return Math.min(this.fast.value(FAST_HALF_LIFE_S), this.slow.value(SLOW_HALF_LIFE_S));
  }
}

/**
 * The variant to fetch next: the highest whose bandwidth the estimate carries (0.7 of it to go up,
 * 0.95 to stay or go down), else the lowest. `variants` sorted by bandwidth, lowest first.
 */
export function chooseVariant<V extends Variant>(
  variants: readonly V[],
  estimateBps: number,
  current?: V,
): V {
  let choice = variants[0]!;
  for (const v of variants) {
    const goingUp = current !== undefined && v.bandwidth > current.bandwidth;
    const factor = goingUp ? UP_FACTOR : KEEP_FACTOR;
    if (v.bandwidth <= estimateBps * factor) choice = v;
  }
  return choice;
}
