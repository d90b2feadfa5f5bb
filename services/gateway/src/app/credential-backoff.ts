import { randomUUID } from 'node:crypto';
import type { Cache } from '@marquee/platform';
import type { BackoffRule } from './rate-limit.js';

/** What became of a credential check, as the owning service answered it. */
export type CredentialOutcome = 'success' | 'failure' | 'other';

export type CredentialAttempt =
  | { allowed: true; finish(outcome: CredentialOutcome): Promise<void> }
  | { allowed: false; retryAfterSeconds: number };

/**
 * How long after the previous try a try must come when `failures` tries (failed or still in flight)
 * came before it: nothing while fewer than `freeFailures`, then base, 2·base, 4·base… up to `maxDelayMs`.
 *
 * @example backoffDelayMs(7, { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 60_000, memoryMs }) // 4000
 */
export function backoffDelayMs(failures: number, rule: BackoffRule): number {
  const over = failures - rule.freeFailures;
  if (over < 0) return 0;
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.min(over, 40));
}

/** The status of the owning service's answer, as a credential outcome. */
export function outcomeOf(status: number): CredentialOutcome {
  if (status >= 200 && status < 300) return 'success';
  // 401 is "email or password wrong" (users answers nothing else with it on these routes).
  return status === 401 ? 'failure' : 'other';
}

/**
 * Exponential backoff per subject, in the cache port so that every gateway instance shares it (Redis).
 * The counter counts failures AND tries still in flight, taken atomically before the try is forwarded:
 * a hundred concurrent guesses see a hundred different counts, so concurrency buys an attacker nothing.
 * A one-holder lease is the gate that spaces tries once the free ones are used; a refused try gives its
 * count back, so hammering never makes the owner's wait longer than `maxDelayMs`.
 */
export class CredentialBackoff {
  constructor(
    private readonly cache: Cache,
    private readonly rule: BackoffRule,
    private readonly now: () => number = Date.now,
  ) {}

  async begin(subject: string): Promise<CredentialAttempt> {
    const count = `gw:cred:n:${subject}`;
    const gate = `gw:cred:gate:${subject}`;
    const until = `gw:cred:until:${subject}`;
    const n = await this.cache.increment(count, this.rule.memoryMs);
    const waitBefore = backoffDelayMs(n - 1, this.rule);
    const waitAfter = backoffDelayMs(n, this.rule);
    const holder = randomUUID();
    if (waitAfter > 0) {
      const passed = await this.cache.leases.acquire(gate, holder, 1, waitAfter);
      if (!passed && waitBefore > 0) {
        await this.cache.increment(count, this.rule.memoryMs, -1);
        const openAt = (await this.cache.get<number>(until)) ?? this.now() + waitBefore;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((openAt - this.now()) / 1000)) };
      }
      if (passed) await this.cache.set(until, this.now() + waitAfter, waitAfter);
    }
    return {
      allowed: true,
      finish: async (outcome) => {
        if (outcome === 'success') {
          await Promise.all([this.cache.delete(count), this.cache.leases.release(gate, holder)]);
        } else if (outcome === 'other') {
          await this.cache.increment(count, this.rule.memoryMs, -1);
        }
      },
    };
  }
}
