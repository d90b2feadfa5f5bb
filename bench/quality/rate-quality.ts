/**
 * Rate–quality arithmetic of bench/quality, pure: the convex hull of a ladder's (bit rate, quality)
 * points and the Bjøntegaard-style bit-rate difference between two hulls.
 */
// The upper convex hull is the encoder's own (the hull ladder plans on it): one implementation, so the
// bench judges ladders by the same hull the encoder picks rungs from.
import { upperHull } from '../../services/encoder/src/app/ladder-hull.js';

export { upperHull };

export interface RatePoint {
  /** Video bit rate, kbit/s. */
  kbps: number;
  /** A quality score that grows with quality (SSIM, PSNR in dB). */
  quality: number;
}

/** log(rate) at quality q on a hull, by linear interpolation between its points (q inside its range). */
function logRateAt(hull: readonly RatePoint[], q: number): number {
  for (let i = 1; i < hull.length; i += 1) {
    const a = hull[i - 1]!;
    const b = hull[i]!;
    if (q <= b.quality) {
      const t = (q - a.quality) / (b.quality - a.quality);
      return Math.log(a.kbps) + t * (Math.log(b.kbps) - Math.log(a.kbps));
    }
  }
  return Math.log(hull[hull.length - 1]!.kbps);
}

/**
 * Bits `test` spends relative to `reference` at equal quality, averaged over the qualities both reach:
 * −0.25 means 25 % fewer bits. As Bjøntegaard's BD-rate, the average is taken of log rate over quality,
 * but on the two hulls interpolated piecewise-linearly (in log rate) rather than through a fitted
 * cubic, which needs four points a short ladder may not have and can swing between them. Undefined when
 * the hulls share no quality range (or either has fewer than two points).
 */
export function bdRate(
  reference: readonly RatePoint[],
  test: readonly RatePoint[],
  samples = 200,
): number | undefined {
  const ref = upperHull(reference);
  const tst = upperHull(test);
  if (ref.length < 2 || tst.length < 2) return undefined;
  const low = Math.max(ref[0]!.quality, tst[0]!.quality);
  const high = Math.min(ref[ref.length - 1]!.quality, tst[tst.length - 1]!.quality);
  if (!(high > low)) return undefined;
  let sum = 0;
  for (let i = 0; i < samples; i += 1) {
    const q = low + ((i + 0.5) / samples) * (high - low);
    sum += logRateAt(tst, q) - logRateAt(ref, q);
  }
  return Math.exp(sum / samples) - 1;
}

/**
 * Bits `test` needs to reach `reference`'s quality at one point (its top rung, say): the rate on test's
 * hull at that quality over the reference's rate, minus one. Undefined when test's hull does not reach
 * that quality (test's best is worse) or starts above it.
 */
export function rateAtQuality(test: readonly RatePoint[], quality: number): number | undefined {
  const hull = upperHull(test);
  if (hull.length === 0) return undefined;
  if (quality > hull[hull.length - 1]!.quality) return undefined;
  if (quality <= hull[0]!.quality) return hull[0]!.kbps;
  return Math.exp(logRateAt(hull, quality));
}
