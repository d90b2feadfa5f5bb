import { createHash } from 'node:crypto';
import type { Cache } from '@marquee/platform';

/** At most `limit` requests per `windowMs`; past `slowAfter` (when set) each answer is delayed more. */
export interface WindowRule {
  limit: number;
  windowMs: number;
  slowAfter?: number;
}

export interface RateLimitRules {
  /** Every /api request, per client address. */
  perAddress: WindowRule;
  /** Every authenticated request, per account. */
  perAccount: WindowRule;
  /** Login and sign-up, per client address (credential stuffing: one address, many emails). */
  credentialsPerAddress: WindowRule;
  /** Login and sign-up, per target email (brute force: one email, many addresses). */
  credentialsPerEmail: WindowRule;
  /** Delay added per request past `slowAfter`, and the most it grows to. */
  slowDownStepMs: number;
  slowDownMaxMs: number;
}

/**
 * Defaults: generous for people (the web app's normal use and the end-to-end suites stay far below),
 * tight where guessing passwords is the only reason to go fast.
 */
export const DEFAULT_RATE_LIMITS: RateLimitRules = {
  perAddress: { limit: 600, windowMs: 60_000 },
  perAccount: { limit: 1_200, windowMs: 60_000 },
  credentialsPerAddress: { limit: 100, windowMs: 15 * 60_000, slowAfter: 50 },
  credentialsPerEmail: { limit: 10, windowMs: 15 * 60_000, slowAfter: 5 },
  slowDownStepMs: 250,
  slowDownMaxMs: 2_000,
};

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the window resets (for Retry-After), when refused. */
  retryAfterSeconds: number;
  /** How long to hold the request before serving it (progressive slow-down). */
  delayMs: number;
  /** Which rule refused or delayed, for the problem detail. */
  rule?: keyof RateLimitRules;
}

/** Fixed windows aligned to the clock, so every gateway instance counts into the same key. */
export function currentWindow(nowMs: number, windowMs: number): { index: number; resetsInMs: number } {
  const index = Math.floor(nowMs / windowMs);
  return { index, resetsInMs: (index + 1) * windowMs - nowMs };
}

/** The verdict for the `count`-th request in a window. */
export function judge(
  count: number,
  rule: WindowRule,
  resetsInMs: number,
  slow: Pick<RateLimitRules, 'slowDownStepMs' | 'slowDownMaxMs'>,
): Omit<RateDecision, 'rule'> {
  if (count > rule.limit) {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(resetsInMs / 1000)), delayMs: 0 };
  }
  const excess = rule.slowAfter === undefined ? 0 : count - rule.slowAfter;
  const delayMs = excess > 0 ? Math.min(slow.slowDownMaxMs, excess * slow.slowDownStepMs) : 0;
  return { allowed: true, retryAfterSeconds: 0, delayMs };
}

/** Refusals first (the longest wait wins), else the longest delay. */
export function combine(decisions: readonly RateDecision[]): RateDecision {
  const refused = decisions.filter((d) => !d.allowed);
  if (refused.length > 0) {
    return refused.reduce((a, b) => (b.retryAfterSeconds > a.retryAfterSeconds ? b : a));
  }
  return decisions.reduce((a, b) => (b.delayMs > a.delayMs ? b : a), {
    allowed: true,
    retryAfterSeconds: 0,
    delayMs: 0,
  });
}

/** Emails are hashed before they become keys: a shared Redis should not hold a list of addresses. */
export function emailKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);
}

/**
 * Counts requests in the cache port (`increment` with the window as TTL): the in-process cache for one
 * gateway, Redis when REDIS_URL is set so that limits hold across gateway instances.
 */
export class RateLimiter {
  constructor(
    private readonly cache: Cache,
    readonly rules: RateLimitRules = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async hit(rule: Exclude<keyof RateLimitRules, `slowDown${string}`>, id: string): Promise<RateDecision> {
    const window = this.rules[rule];
    const { index, resetsInMs } = currentWindow(this.now(), window.windowMs);
    const count = await this.cache.increment(`gw:rl:${rule}:${id}:${index}`, resetsInMs + 1_000);
    return { ...judge(count, window, resetsInMs, this.rules), rule };
  }

  /** Login/sign-up: both the address and the target email must be within their limits. */
  async credentials(address: string, email: string | undefined): Promise<RateDecision> {
    const checks = [this.hit('credentialsPerAddress', address)];
    if (email) checks.push(this.hit('credentialsPerEmail', emailKey(email)));
    return combine(await Promise.all(checks));
  }
}
