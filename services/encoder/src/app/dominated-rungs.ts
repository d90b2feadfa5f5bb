/**
 * Rungs that the encode made no cheaper than a larger rung. x264 cannot spend a bit rate a simple picture
 * does not need, so on a flat or short title a larger rung can come out at fewer bits than the one below
 * it (a demo title measured 240p at 116 kbit/s above 360p at 110 kbit/s). Such a smaller rung is worse in
 * every way: a player that can fetch it can fetch the larger one, which looks better. The published ladder
 * keeps only rungs whose measured peak rate (what BANDWIDTH says and players choose by) strictly falls as
 * the picture shrinks; the top rung always stays.
 */
export function dominatedRungs<R extends { pixels: number; peakBandwidth: number }>(
  measured: readonly R[],
): Set<R> {
  const bySize = [...measured].sort((a, b) => b.pixels - a.pixels);
  const dominated = new Set<R>();
  let cheapestAbove = Infinity;
  for (const rung of bySize) {
    if (rung.peakBandwidth >= cheapestAbove) dominated.add(rung);
    else cheapestAbove = rung.peakBandwidth;
  }
  return dominated;
}
