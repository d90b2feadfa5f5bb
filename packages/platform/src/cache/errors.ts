import { DomainError } from '@marquee/core';

/** Redis could not be reached at open; the message names host:port (never the password) and why. */
export class CacheUnavailableError extends DomainError {
  constructor(endpoint: string, reason: string) {
    super('cache.unavailable', `cannot connect to Redis at ${endpoint}: ${reason}`, { endpoint });
  }
}

/** increment() on a key that holds something other than an integer (Redis: "not an integer"). */
export class NotACounterError extends DomainError {
  constructor(key: string) {
    super('cache.not_a_counter', `cache key ${key} does not hold an integer counter`, { key });
  }
}
