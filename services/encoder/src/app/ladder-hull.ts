import { h264Level } from './h264-level.js';
import { ladderSizes, type Rung } from './ladder.js';

/**
 * Per-title ladders from measured quality (issue 16 §2), as Netflix's per-title encoding: a few fast
 * probe encodes of the title at every rung size (quality-probe.ts) give each size its rate–quality
 * curve; the ladder's rungs are picked on the upper envelope of those curves, so each rung is the size
 * that looks best at its bit rate. Pure: probe points in, rungs out (docs/media.md, "The ladder").
 */
export interface ProbePoint {
  width: number;
  height: number;
  /** Bit rate the probe encode needed, kbit/s. */
  kbps: number;
  /** SSIM (All) of the probe shown at the source's size against the source: what a viewer sees. */
  quality: number;
}

export interface HullLadderOptions {
  /**
   * Quality past which more bits are not spent even if a fixed ladder's top rung would reach more (SSIM
   * 0.999: past it the probe no longer tells encodes apart). The top rung aims at the lower of this and
   * what a fixed ladder's top rung would reach on this title, so it is never the worse of the two.
   */
  saturationQuality: number;
  /** Bit-rate ratio from one rung to the next below it (1.5–2 is the usual spacing). */
  spacing: number;
  /** No rung is planned below this rate (kbit/s at 30 fps): Apple's lowest rung is 145. */
  bottomKbps: number;
  /** At most this many rungs (Apple's ladder has nine at 1080p). */
  maxRungs: number;
}

export const DEFAULT_HULL_OPTIONS: HullLadderOptions = {
  saturationQuality: 0.999,
  spacing: 1.8,
  bottomKbps: 150,
  maxRungs: 8,
};

/**
 * The most the top rung may spend, and the rate a fixed ladder's top rung would have at this size:
 * Apple's HLS authoring ladder tops 1080p30 at 7800 kbit/s; other sizes scale by pixels^0.6, which keeps
 * each of Apple's smaller tops (720p 4500, 540p 2000) under it.
 */
export function referenceTopKbps(pixels: number, fps: number): number {
  return 7800 * (pixels / (1920 * 1080)) ** 0.6 * fpsFactor(fps);
}

function fpsFactor(fps: number): number {
  return Math.sqrt(Math.min(2, Math.max(0.5, fps / 30)));
}

/**
 * The upper convex hull in (log rate, quality), sorted by rate, quality strictly rising: the points no
 * mix of two others beats. A probe below it is noise or waste; interpolating along it is what a rate
 * between two probes can be expected to give.
 */
export function upperHull<P extends { kbps: number; quality: number }>(points: readonly P[]): P[] {
  const sorted = [...points]
    .filter((p) => p.kbps > 0 && Number.isFinite(p.quality))
    .sort((a, b) => a.kbps - b.kbps || b.quality - a.quality);
  const hull: P[] = [];
  const x = (p: P) => Math.log(p.kbps);
  for (const p of sorted) {
    if (hull.length > 0 && p.quality <= hull[hull.length - 1]!.quality) continue;
    while (hull.length >= 2) {
      const a = hull[hull.length - 2]!;
      const b = hull[hull.length - 1]!;
      const cross = (x(b) - x(a)) * (p.quality - a.quality) - (b.quality - a.quality) * (x(p) - x(a));
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

type Curve = readonly { kbps: number; quality: number }[];

/**
 * Quality at `kbps` on a size's hull: interpolated in log rate between probes, held at the best probe's
 * above it (never promised more than measured); undefined below the cheapest probe (not measured there).
 */
export function qualityAt(curve: Curve, kbps: number): number | undefined {
  if (curve.length === 0 || kbps < curve[0]!.kbps) return undefined;
  for (let i = 1; i < curve.length; i += 1) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if (kbps <= b.kbps) {
      const t = Math.log(kbps / a.kbps) / Math.log(b.kbps / a.kbps);
      return a.quality + t * (b.quality - a.quality);
    }
  }
  return curve[curve.length - 1]!.quality;
}

/** As qualityAt, but above the best probe continuing its last slope (at most 1): a fixed rung's estimate. */
function extrapolatedQualityAt(curve: Curve, kbps: number): number {
  const last = curve[curve.length - 1]!;
  if (kbps <= last.kbps || curve.length < 2) return qualityAt(curve, kbps) ?? curve[0]!.quality;
  const prev = curve[curve.length - 2]!;
  const slope = (last.quality - prev.quality) / Math.log(last.kbps / prev.kbps);
  return Math.min(1, last.quality + slope * Math.log(kbps / last.kbps));
}

/** The lowest rate at which a size's hull reaches `quality`; undefined when its best probe does not. */
export function rateFor(curve: Curve, quality: number): number | undefined {
  if (curve.length === 0 || quality > curve[curve.length - 1]!.quality) return undefined;
  if (quality <= curve[0]!.quality) return curve[0]!.kbps;
  for (let i = 1; i < curve.length; i += 1) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if (quality <= b.quality) {
      const t = (quality - a.quality) / (b.quality - a.quality);
      return a.kbps * (b.kbps / a.kbps) ** t;
    }
  }
  return undefined;
}

/**
 * The ladder from probe points:
 *
 * - top rung: the source's own size class, at the lowest rate its hull reaches the target quality —
 *   the lower of `saturationQuality` and what a fixed ladder's top rung (referenceTopKbps) would reach,
 *   extrapolated from the probes — and never above that reference rate (the fixed ladder's top);
 * - every rung below: `spacing` times cheaper than the one above, at whichever smaller size has the
 *   best quality at that rate on its hull (a size not probed that low does not compete unless none was),
 *   but no more than that size needed to reach that quality (past its best probe it gains nothing);
 * - one rung per size (rung names, directories and the AV1 rungs derived from them are per size), down
 *   to `bottomKbps` or the smallest size, at most `maxRungs`.
 *
 * Undefined when no probe point matches a rung size (the caller falls back to the heuristic ladder).
 */
export function planHullLadder(
  input: { width: number; height: number; fps: number; probes: readonly ProbePoint[] },
  options: HullLadderOptions = DEFAULT_HULL_OPTIONS,
): Rung[] | undefined {
  const curves = ladderSizes(input.width, input.height)
    .map((size) => ({
      size,
      hull: upperHull(input.probes.filter((p) => p.width === size.width && p.height === size.height)),
    }))
    .filter((c) => c.hull.length > 0);
  const top = curves[0];
  if (!top) return undefined;
  const fpsShare = fpsFactor(input.fps);
  const bottom = options.bottomKbps * fpsShare;
  const cap = referenceTopKbps(top.size.width * top.size.height, input.fps);
  const target = Math.min(options.saturationQuality, extrapolatedQualityAt(top.hull, cap));
  const topKbps = Math.max(bottom, Math.min(cap, rateFor(top.hull, target) ?? cap));

  const chosen = [{ size: top.size, kbps: topKbps }];
  let from = 1;
  let kbps = topKbps / options.spacing;
  while (from < curves.length && kbps >= bottom && chosen.length < options.maxRungs) {
    const rate = kbps;
    const scored = curves
      .map((c, i) => ({ i, q: qualityAt(c.hull, rate) }))
      .filter((s) => s.i >= from && s.q !== undefined);
    // The best smaller size at this rate; none probed this low: the smallest, whose probes reach lowest.
    const best = scored.length
      ? scored.reduce((a, b) => (b.q! > a.q! ? b : a))
      : { i: curves.length - 1, q: undefined };
    const hull = curves[best.i]!.hull;
    // Past its best probe a size gains nothing measured: it gets no more than the rate that reached it.
    const spend = best.q === undefined ? rate : Math.min(rate, rateFor(hull, best.q) ?? rate);
    chosen.push({ size: curves[best.i]!.size, kbps: Math.max(bottom, spend) });
    from = best.i + 1;
    kbps = spend / options.spacing;
  }
  return chosen.map(({ size, kbps: k }) => {
    const bitrateKbps = Math.round(k);
    const maxrateKbps = Math.round(bitrateKbps * 1.5);
    return {
      ...size,
      bitrateKbps,
      maxrateKbps,
      bufsizeKbps: bitrateKbps * 2,
      level: h264Level(size.width, size.height, input.fps, maxrateKbps),
    };
  });
}
