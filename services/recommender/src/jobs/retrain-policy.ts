/**
 * When to retrain, as a pure decision. Models are retrained
 * - after `afterEvents` new interaction events (the signal has moved enough to matter),
 * - at once after a title is published (a new title must reach "New on Marquee" and content rows),
 * - on the schedule, every `intervalMs`, if anything at all arrived since the last training,
 * but never sooner after the previous training started than `busyFactor` times as long as it took
 * (and at least `minGapMs`): training then takes at most about 1/busyFactor of the CPU however fast
 * events arrive — a 50 ms training may run every 2 s, an 8 s one every 80 s. Between trainings a
 * profile's own new events still count: its history is read at request time and scored with the
 * current model.
 */
export interface RetrainPolicy {
  intervalMs: number;
  afterEvents: number;
  minGapMs: number;
  busyFactor: number;
}

export const DEFAULT_RETRAIN_POLICY: RetrainPolicy = {
  intervalMs: 15 * 60_000,
  afterEvents: 500,
  minGapMs: 2_000,
  busyFactor: 10,
};

export interface RetrainState {
  /** Events applied since the last training started. */
  pending: number;
  /** A title was published since the last training started. */
  catalogChanged: boolean;
  /** When the last training started (epoch ms), or undefined before the first. */
  lastStartedMs: number | undefined;
  /** How long the last training took (0 when unknown). */
  lastDurationMs: number;
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
  const gap = Math.max(policy.minGapMs, policy.busyFactor * state.lastDurationMs);
  const wait = state.lastStartedMs + gap - state.nowMs;
  return wait > 0 ? { retrain: false, retryInMs: wait } : { retrain: true };
}
