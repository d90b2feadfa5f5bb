import { candidateSizes, fpsFactor, rungAt, type Rung } from './ladder.js';

/**
 * Per-title ladders from measured quality (issue 16 §2), as Netflix's per-title encoding: a few fast
 * probe encodes of the title at every rung size and a few target rates, under the production rate
 * control (quality-probe.ts), give each size its rate–quality curve; the ladder's rungs are picked on
 * the upper envelope of those curves, so each rung is the size that looks best at its bit rate. Pure:
 * probe points in, rungs out (docs/media.md, "The ladder").
 */
export interface ProbePoint {
  width: number;
  height: number;
  /** The average bit rate the probe encode was asked for (x264 ABR, the rung's VBV), kbit/s. */
  targetKbps: number;
  /** Bit rate the probe encode spent, kbit/s: below the target when the picture needs no more. */
  kbps: number;
  /** SSIM (All) of the probe shown at the source's size against the source: what a viewer sees. */
  quality: number;
}

export interface HullLadderOptions {
  /**
   * How much SSIM the top rung may give up against the best the top size reaches in the probe — its
   * encode at the fixed ladder's top rate (referenceTopKbps), i.e. what a fixed top rung reaches on
   * this title. The top rung is the cheapest point of the top size's curve within this of it.
   *
   * 0 by default: issue 16 asks for never a worse top rung than the fixed ladder's. A tolerance saves
   * much on flat titles, where the curve's top is flat (the talking head measured SSIM 0.9979 at 531
   * kbit/s and 0.9990 at 4421: 8 × the bits for 0.0011, a difference no viewer sees), and little on
   * steep ones; with 0.0005 bench/quality's talking head topped at 647 kbit/s instead of 4207.
   */
  topTolerance: number;
  /**
   * Bit-rate ratio from one rung to the next below it, at least (1.5–2 is the usual spacing); wider
   * when the rungs left (`maxRungs`) need it to reach `bottomKbps`.
   */
  spacing: number;
  /**
   * SSIM within which a larger size is taken over the best one at a rung's rate. 0 by default: the
   * rung is the envelope's point. On a flat title every size scores within a few ten-thousandths of
   * each other, so any tolerance there hands every rung to the largest size, off the envelope
   * (bench/quality's talking head: +11 % bits against the fixed ladder with 0.0005 on its true curves,
   * −3 % with 0).
   */
  sizeTolerance: number;
  /** No rung is planned below this rate (kbit/s at 30 fps): Apple's lowest rung is 145. */
  bottomKbps: number;
  /** At most this many rungs (Apple's ladder has nine at 1080p). */
  maxRungs: number;
}

export const DEFAULT_HULL_OPTIONS: HullLadderOptions = {
  topTolerance: 0,
  spacing: 1.5,
  sizeTolerance: 0,
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
 * The ABR target that spends `kbps` on a size's hull: the probes' targets interpolated in log rate
 * between the two probes around it. A target spends about itself on most pictures, but less where the
 * picture needs no more (screen content asked 4500 kbit/s spent 874), so the ladder plans on what
 * was spent and sets the target that spent it. Below the cheapest probe, its target-to-spent ratio.
 */
export function targetFor(curve: readonly ProbePoint[], kbps: number): number {
  const first = curve[0]!;
  if (kbps <= first.kbps) return first.targetKbps * (kbps / first.kbps);
  for (let i = 1; i < curve.length; i += 1) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if (kbps <= b.kbps) {
      const t = Math.log(kbps / a.kbps) / Math.log(b.kbps / a.kbps);
      return a.targetKbps * (b.targetKbps / a.targetKbps) ** t;
    }
  }
  return curve[curve.length - 1]!.targetKbps;
}

/**
 * True when the measure ranks pictures the wrong way round: a smaller size, shown full screen, scores
 * above the best the top size reaches. On film grain (or any noise) every encode loses the noise, and
 * a smaller picture scaled up loses it most smoothly, which SSIM and PSNR count as *closer* to the
 * source (bench/quality's grainy title: 240p 0.98, 720p 0.855). The envelope would then put small
 * pictures at high rates, so the hull ladder declines such a title (the caller keeps the heuristic,
 * whose rates scale with pixels) rather than trusting a measure that is wrong there.
 */
export function prefersSmallerPictures(curves: readonly Curve[]): boolean {
  const best = (c: Curve) => c[c.length - 1]!.quality;
  return curves.length > 1 && curves.slice(1).some((c) => best(c) > best(curves[0]!));
}

/**
 * The ladder from probe points:
 *
 * - top rung: the source's own size class, at the lowest rate its hull comes within `topTolerance` of
 *   the best it reaches (its probe at the fixed top's rate: so never worse than a fixed top rung by
 *   more than that), never above that reference rate;
 * - every rung below: `spacing` times cheaper than the one above (more when the rungs left could not
 *   otherwise reach `bottomKbps`), at the size with the best quality at that rate on its hull among
 *   the rung above's size and smaller ones (the largest of those within `sizeTolerance` of it; a size
 *   not probed that low does not compete unless none was) — but no more than that size needed to reach
 *   that quality (past its best probe it gains nothing);
 * - a size may take several rungs: on sharp content the top size stays the best picture far down in
 *   rate (Apple's ladder has two 720p and two 432p rungs for that reason), and a ladder that had to
 *   shrink at every step gave those rates to worse pictures. The second and later rungs of a size are
 *   named with their rate ("720p-2100k": names and directories are per rung);
 * - down to `bottomKbps`, at most `maxRungs`;
 * - each rung's average is the ABR target that spent its rate in the probe (targetFor).
 *
 * Undefined when no probe point matches a rung size, or when the measure prefers smaller pictures
 * (prefersSmallerPictures): the caller falls back to the heuristic ladder.
 */
export function planHullLadder(
  input: { width: number; height: number; fps: number; probes: readonly ProbePoint[] },
  options: HullLadderOptions = DEFAULT_HULL_OPTIONS,
): Rung[] | undefined {
  const curves = candidateSizes(input.width, input.height)
    .map((size) => ({
      size,
      hull: upperHull(input.probes.filter((p) => p.width === size.width && p.height === size.height)),
    }))
    .filter((c) => c.hull.length > 0);
  const top = curves[0];
  if (!top || prefersSmallerPictures(curves.map((c) => c.hull))) return undefined;
  const bottom = options.bottomKbps * fpsFactor(input.fps);
  const cap = referenceTopKbps(top.size.width * top.size.height, input.fps);
  const best = top.hull[top.hull.length - 1]!.quality;
  const topKbps = Math.min(cap, rateFor(top.hull, best - options.topTolerance)!);
  // At least `spacing` apart, wider when the rungs left would otherwise stop above the bottom: the
  // ladder should reach down to what a slow connection can fetch (Apple's bottom, 145 kbit/s).
  const stepBelow = (from: number, rungsLeft: number) =>
    Math.max(options.spacing, rungsLeft > 0 ? (from / bottom) ** (1 / rungsLeft) : options.spacing);

  const chosen = [{ curve: 0, kbps: topKbps }];
  let above = topKbps;
  // A rung closer than `spacing` to the bottom ends the ladder; the last one may sit on the bottom.
  while (above >= bottom * options.spacing && chosen.length < options.maxRungs) {
    const from = chosen[chosen.length - 1]!.curve;
    const rate = Math.max(bottom, above / stepBelow(above, options.maxRungs - chosen.length));
    const scored = curves
      .map((c, i) => ({ i, q: qualityAt(c.hull, rate) }))
      .filter((s) => s.i >= from && s.q !== undefined);
    // The best size at this rate; none probed this low: the smallest, whose probes reach lowest.
    // Of sizes within `sizeTolerance` of the best, the largest (the first: sizes run largest first).
    const bestQ = Math.max(...scored.map((s) => s.q!));
    const pick = scored.find((s) => s.q! >= bestQ - options.sizeTolerance) ?? {
      i: curves.length - 1,
      q: undefined,
    };
    const hull = curves[pick.i]!.hull;
    // Past its best probe a size gains nothing measured: it gets no more than the rate that reached it.
    const spend = pick.q === undefined ? rate : Math.min(rate, rateFor(hull, pick.q) ?? rate);
    chosen.push({ curve: pick.i, kbps: spend });
    above = spend;
  }
  return chosen.map(({ curve, kbps: spent }, i) => {
    const { size, hull } = curves[curve]!;
    const target = Math.round(
      Math.max(bottom, i === 0 ? Math.min(cap, targetFor(hull, spent)) : targetFor(hull, spent)),
    );
    // Sizes never grow down the ladder, so a size's rungs are neighbours: the first keeps its name.
    const first = i === 0 || chosen[i - 1]!.curve !== curve;
    return rungAt(first ? size : { ...size, name: `${size.name}-${target}k` }, target, input.fps);
  });
}
