import type { Plan } from '@marquee/core';

export type { Plan } from '@marquee/core';

/** What a plan entitles an account to; streaming enforces it (resolution ceiling, stream leases). */
export interface PlanLimits {
  /** Highest rendition height the plan may play, in pixels. */
  maxHeight: number;
  /** Concurrent playback sessions per account. */
  maxStreams: number;
}

/**
 * The plans table, shared by users (sign-up, plan change) and streaming (entitlements).
 *
 * @example
 *   const { maxHeight, maxStreams } = planLimits('standard'); // 1080, 2
 */
export const PLANS: Readonly<Record<Plan, Readonly<PlanLimits>>> = Object.freeze({
  basic: Object.freeze({ maxHeight: 720, maxStreams: 1 }),
  standard: Object.freeze({ maxHeight: 1080, maxStreams: 2 }),
  premium: Object.freeze({ maxHeight: 2160, maxStreams: 4 }),
});

export const PLAN_NAMES = Object.keys(PLANS) as readonly Plan[];

export function isPlan(value: unknown): value is Plan {
  return typeof value === 'string' && Object.hasOwn(PLANS, value);
}

export function planLimits(plan: Plan): PlanLimits {
  return PLANS[plan];
}
