import { createHash } from 'node:crypto';
import { normaliseEmail } from '@marquee/contracts';
import { NotACounterError, openCache, type Cache } from '@marquee/platform';
import { DeadlineList } from './deadline-list.js';

/** At most `limit` requests per `windowMs`; past `slowAfter` (when set) each answer is delayed more. */
export interface WindowRule {
  limit: number;
  windowMs: number;
  slowAfter?: number;
}

/**
 * Exponential backoff on failed credential checks of one subject (an account's email, an account id, or
 * one known device of an account): `freeFailures` wrong tries cost nothing, then try k+1 must wait
 * `baseDelayMs · 2^(k-1)` (at most `maxDelayMs`) after the previous one. Failures are forgotten
 * `memoryMs` after the first, or at once on a success. Nobody is ever locked out for good: the owner
 * waits at most `maxDelayMs`, and on a device that signed in before not at all (see known-devices.ts).
 */
export interface BackoffRule {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  memoryMs: number;
}

export interface RateLimitRules {
  /** Unauthenticated /api requests, per client address (authenticated ones count per account). */
  perAddress: WindowRule;
  /** Authenticated requests, per account; the chunks of a tus upload in progress are never counted. */
  perAccount: WindowRule;
  /** Credential checks (login, sign-up, password change), per client address: credential stuffing. */
  credentialsPerAddress: WindowRule;
  /** Failed credential checks, per account (and per known device): password guessing. */
  credentialBackoff: BackoffRule;
  /** Delay added per request past `slowAfter`, and the most it grows to. */
  slowDownStepMs: number;
  slowDownMaxMs: number;
}

/**
 * Defaults: generous for people (the web app's normal use and the end-to-end suites stay far below),
 * tight where guessing passwords is the only reason to go fast. Every one is a setting (config.ts).
 */
export const DEFAULT_RATE_LIMITS: RateLimitRules = {
  perAddress: { limit: 600, windowMs: 60_000 },
  perAccount: { limit: 1_200, windowMs: 60_000 },
  credentialsPerAddress: { limit: 100, windowMs: 15 * 60_000, slowAfter: 50 },
  credentialBackoff: {
    freeFailures: 5,
    baseDelayMs: 1_000,
    maxDelayMs: 15 * 60_000,
    memoryMs: 24 * 3_600_000,
  },
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

/**
 * Emails are hashed before they become keys (a shared Redis should not hold a list of addresses), after
 * the SAME normalisation users applies (NFC, lower case, IDNA), so every spelling of one account's
 * address is one key. What users cannot parse matches no account; it is keyed by its trimmed form.
 */
export function emailKey(email: string): string {
  const normalised = normaliseEmail(email) ?? email.trim().toLowerCase();
  return createHash('sha256').update(normalised).digest('base64url').slice(0, 22);
}

/** How long a shared counter may take before this request is counted locally instead. */
export const SHARED_COUNTER_TIMEOUT_MS = 250;
/** After the shared counters failed, how long they are left alone before being tried again. */
export const SHARED_COUNTER_RETRY_MS = 5_000;

/**
 * Counts requests in the cache port (`increment` with the window as TTL): the in-process cache for one
 * gateway, Redis when REDIS_URL is set so that limits hold across gateway instances.
 *
 * When the shared cache fails (Redis down, or slower than SHARED_COUNTER_TIMEOUT_MS), the limits FAIL
 * OVER TO LOCAL counters in this gateway's memory for SHARED_COUNTER_RETRY_MS, then Redis is tried
 * again. Neither failing closed (every API call refused while Redis is down, which is what happened:
 * each request waited 2 s for Redis, then answered 500) nor failing open (no limit at all, credential
 * stuffing included): each gateway still enforces every rule, so across N gateways a client gets at
 * most N times its limit until Redis is back. Measured by the engine-down experiment, tested against a
 * redis-server that is killed (rate-limit-redis-down.test.ts).
 */
export class RateLimiter {
  private local: Promise<Cache> | undefined;
  private sharedRetryAt = 0;
  /** Requests counted locally because the shared counters failed, since start (for metrics and tests). */
  countedLocally = 0;
  private readonly sharedDeadlines: DeadlineList;

  constructor(
    private readonly cache: Cache,
    readonly rules: RateLimitRules = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.sharedDeadlines = new DeadlineList(
      SHARED_COUNTER_TIMEOUT_MS,
      () => new Error(`shared counter: no answer within ${SHARED_COUNTER_TIMEOUT_MS} ms`),
    );
  }

  async hit(rule: 'perAddress' | 'perAccount' | 'credentialsPerAddress', id: string): Promise<RateDecision> {
    const window = this.rules[rule];
    const { index, resetsInMs } = currentWindow(this.now(), window.windowMs);
    const count = await this.count(`gw:rl:${rule}:${id}:${index}`, resetsInMs + 1_000);
    const { allowed, retryAfterSeconds, delayMs } = judge(count, window, resetsInMs, this.rules);
    return { allowed, retryAfterSeconds, delayMs, rule }; // one literal: no spread, no shape change
  }

  /** Whether requests are being counted locally now (the shared counters failed lately). */
  get degraded(): boolean {
    return this.now() < this.sharedRetryAt;
  }

  private async count(key: string, ttlMs: number): Promise<number> {
    if (!this.degraded) {
      const shared = this.cache.increment(key, ttlMs);
      try {
        return await this.sharedDeadlines.within(shared);
      } catch (err) {
        if (err instanceof NotACounterError) throw err;
        shared.catch(() => undefined); // its late rejection is expected, not unhandled
        this.sharedRetryAt = this.now() + SHARED_COUNTER_RETRY_MS;
      }
    }
    this.countedLocally += 1;
    this.local ??= openCache();
    return (await this.local).increment(key, ttlMs);
  }
}
