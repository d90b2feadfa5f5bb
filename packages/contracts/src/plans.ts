/** A subscription plan. */
export type Plan = 'basic' | 'standard' | 'premium';
/** What an account may do: watch, or also run the catalogue and the platform. */
export type Role = 'viewer' | 'admin';
export const ROLES: readonly Role[] = Object.freeze(['viewer', 'admin'] as const);

export function isRole(value: unknown): value is Role {
  return value === 'viewer' || value === 'admin';
}

/** What a plan entitles an account to; streaming enforces it (resolution ceiling, stream leases). */
export interface PlanLimits {
  /** Highest rendition height the plan may play, in pixels. */
  maxHeight: number;
  /** Concurrent playback sessions per account. */
  maxStreams: number;
}

/**
 * The plans table: users (sign-up, plan change), streaming (entitlements) and the web app (sign-up
 * choices) read it.
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
