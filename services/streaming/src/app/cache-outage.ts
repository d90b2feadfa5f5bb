import { DomainError } from '@marquee/core';
import type { Cache } from '@marquee/platform';

/**
 * Streaming with its cache (Redis) down. The decision (docs/operations.md, "When an engine is down"):
 * what needs the cache fails closed — a playback start, heartbeat or stop needs the account's stream
 * lease, the plan's stream limit is that lease, and nothing else can say how many streams are open — but
 * it is refused as an outage, 503 with Retry-After, not as a fault of the platform (500 `internal`, as
 * before). Players and the gateway treat a 503 as "try again"; media already playing is unaffected
 * (edges check media tokens without the cache). The code and its 503 are platform's `cache.unavailable`
 * (packages/platform/src/problems.ts), the code the cache adapters fail with.
 */

/** What a refused caller is told to wait: the cache client's reconnection loop retries every ≤ 2 s. */
export const CACHE_RETRY_AFTER_SECONDS = 5;

export class CacheOutageError extends DomainError {
  constructor(operation: string) {
    // No endpoint in the details: they are sent to the client in the problem.
    super('cache.unavailable', `The cache did not answer (${operation}); try again in a few seconds`, {
      retryAfterSeconds: CACHE_RETRY_AFTER_SECONDS,
    });
  }
}

/**
 * The cache, with every failure that is not a domain answer (a connection refused or closed, a command
 * timed out) turned into a CacheOutageError. Domain errors (a counter that is not one, say) pass as
 * they are.
 */
export function outageAwareCache(cache: Cache): Cache {
  return guard(cache, '');
}

function guard<T extends object>(target: T, prefix: string): T {
  return new Proxy(target, {
    get(obj, property, receiver) {
      const value: unknown = Reflect.get(obj, property, receiver);
      const name = `${prefix}${String(property)}`;
      if (property === 'leases' && value && typeof value === 'object') return guard(value, 'leases.');
      if (typeof value !== 'function' || property === 'close') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        } catch (err) {
          throw outage(err, name);
        }
        return result instanceof Promise
          ? result.catch((err: unknown) => Promise.reject(outage(err, name)))
          : result;
      };
    },
  });
}

function outage(err: unknown, operation: string): Error {
  return err instanceof DomainError ? err : new CacheOutageError(operation);
}

/**
 * The cache as a cache only, for what streaming merely remembers (profile facts, maturity ceilings):
 * with Redis down a read is a miss and the owner is asked (fails open), a write is skipped. Errors of
 * the loader itself (users down) still reach the caller.
 */
export function missWhenDown(cache: Cache): Cache {
  const down = (err: unknown) => !(err instanceof DomainError);
  return new Proxy(cache, {
    get(obj, property, receiver) {
      const value: unknown = Reflect.get(obj, property, receiver);
      if (property === 'get')
        return (key: string) =>
          obj.get(key).catch((err: unknown) => (down(err) ? undefined : Promise.reject(err as Error)));
      if (property === 'set' || property === 'delete')
        return (...args: unknown[]) =>
          (value as (...a: unknown[]) => Promise<void>)
            .apply(obj, args)
            .catch((err: unknown) => (down(err) ? undefined : Promise.reject(err as Error)));
      if (property === 'getOrLoad')
        return async <T>(key: string, ttlMs: number, loader: () => Promise<T>): Promise<T> => {
          let failed: { err: unknown } | undefined;
          const load = () =>
            loader().catch((err: unknown) => {
              failed = { err };
              throw err;
            });
          try {
            return await obj.getOrLoad(key, ttlMs, load);
          } catch (err) {
            if (failed?.err === err || !down(err)) throw err;
            return loader();
          }
        };
      return value;
    },
  });
}
