export type EncodeStage = 'probing' | 'analysing' | 'encoding' | 'finishing';

export interface EncodeProgress {
  /** 0..1 across all stages, never decreasing. */
  fraction: number;
  stage: EncodeStage;
}

/** Share of the whole job each stage takes (the encode dominates; measured on the bench source). */
const STAGES: Record<EncodeStage, { start: number; weight: number }> = {
  probing: { start: 0, weight: 0.01 },
  analysing: { start: 0.01, weight: 0.04 },
  encoding: { start: 0.05, weight: 0.93 },
  finishing: { start: 0.98, weight: 0.02 },
};

/**
 * Turns per-stage fractions into one overall fraction and lets at most one report through per
 * `intervalMs` (the first one immediately). Reports that would go backwards are dropped.
 */
export function progressReporter(
  onProgress: ((progress: EncodeProgress) => void) | undefined,
  intervalMs = 1000,
  now: () => number = Date.now,
): (stage: EncodeStage, stageFraction: number) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let lastFraction = -1;
  return (stage, stageFraction) => {
    if (!onProgress) return;
    const { start, weight } = STAGES[stage];
    const fraction = Math.round((start + weight * Math.min(1, Math.max(0, stageFraction))) * 1000) / 1000;
    const at = now();
    if (fraction <= lastFraction || at - lastAt < intervalMs) return;
    lastAt = at;
    lastFraction = fraction;
    onProgress({ fraction, stage });
  };
}
