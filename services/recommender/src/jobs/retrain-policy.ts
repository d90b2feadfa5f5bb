/**
 * When to retrain, as a pure decision. Models are retrained
 * - after `afterEvents` new interaction events (the signal has moved enough to matter),
 * - at once after a title is published (a new title must reach "New on Marquee" and content rows),
 * - on the schedule, every `intervalMs`, if anything at all arrived since the last training,
 * but never sooner than `minGapMs` after the previous training started, so an event flood costs at
 * most one training per gap. Between trainings a profile's own new events still count: its history is
 * read at request time and scored with the current model.
 */
export interface RetrainPolicy {
  intervalMs: number;
  afterEvents: number;
  minGapMs: number;
}

export const DEFAULT_RETRAIN_POLICY: RetrainPolicy = {
  intervalMs: 15 * 60_000,
  afterEvents: 500,
  minGapMs: 60_000,
};

export interface RetrainState {
  /** Events applied since the last training started. */
  pending: number;
  /** A title was published since the last training started. */
  catalogChanged: boolean;
  /** When the last training started (epoch ms), or undefined before the first. */
  lastStartedMs: number | undefined;
  nowMs: number;
}

export type RetrainDecision = { retrain: true } | { retrain: false; retryInMs?: number };

export function decideRetrain(
  state: RetrainState,
  policy: RetrainPolicy,
  trigger: 'event' | 'schedule',
): RetrainDecision {
  if (state.lastStartedMs === undefined) return { retrain: true };
  if (state.pending === 0 && !state.catalogChanged) return { retrain: false };
  const due =
    state.catalogChanged ||
    state.pending >= policy.afterEvents ||
    (trigger === 'schedule' && state.nowMs - state.lastStartedMs >= policy.intervalMs);
  if (!due) return { retrain: false };
  const wait = state.lastStartedMs + policy.minGapMs - state.nowMs;
  return wait > 0 ? { retrain: false, retryInMs: wait } : { retrain: true };
}
