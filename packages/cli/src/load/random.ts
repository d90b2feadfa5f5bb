/**
 * Seeded randomness for the load simulator: every choice a simulated viewer makes (which title, how
 * long to watch, whether to search, seek or rate) comes from its own stream derived from `--seed` and
 * its index, so two runs with the same seed make the same choices whatever the timing.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Exponentially distributed with this mean. */
  exponential(mean: number): number;
  /** Log-normal with this median and σ of the underlying normal (heavy-tailed watch times). */
  logNormal(median: number, sigma: number): number;
}

/** SplitMix32-style hash: spreads neighbouring seeds (viewer 1, viewer 2…) far apart. */
function mix(seed: number): number {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** mulberry32: small, fast and good enough for simulation (not for secrets). */
export function createRandom(seed: number, stream = 0): Random {
  let state = mix(mix(seed) ^ mix(stream + 1));
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    // Box–Muller; 1 - next() keeps the log away from 0.
    const u = 1 - next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
  };
}

/**
 * Zipf's law over ranks 0..n-1: P(rank k) ∝ 1/(k+1)^s. Video popularity follows it closely (s ≈ 0.8–1
 * in published VoD traces). Sampling is a binary search over the cumulative weights.
 */
export function zipf(n: number, s = 1): (random: Random) => number {
  if (n < 1) throw new Error('zipf over an empty catalog');
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / Math.pow(k + 1, s);
  return (random) => {
    const u = random.next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
