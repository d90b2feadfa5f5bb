import { DomainError } from '@marquee/core';

/** The cache server could not be reached at open; the message names host:port (never the password) and why. */
export class CacheUnavailableError extends DomainError {
  constructor(endpoint: string, reason: string, engine: 'Redis' | 'Memcached' = 'Redis') {
    super('cache.unavailable', `cannot connect to ${engine} at ${endpoint}: ${reason}`, { endpoint });
  }
}

/** increment() on a key that holds something other than an integer (Redis: "not an integer"). */
export class NotACounterError extends DomainError {
  constructor(key: string) {
    super('cache.not_a_counter', `cache key ${key} does not hold an integer counter`, { key });
  }
}

/**
 * A read-modify-write on Memcached lost its compare-and-set race `attempts` times in a row: so many
 * writers hit one key at once that this call gave up rather than hold its request (Redis runs the same
 * change as one atomic script and never needs this).
 */
export class CacheContentionError extends DomainError {
  constructor(key: string, attempts: number) {
    super('cache.contention', `cache key ${key} changed under ${attempts} attempts in a row; try again`, {
      key,
      attempts,
    });
  }
}
