import { ValidationError } from '@marquee/core';

/**
 * Decisions both adapters share, so an in-process cache never accepts what Redis would refuse.
 *
 * Values are stored as JSON text by every adapter (the in-process one too): a value read back is a
 * copy with JSON's semantics — a Date comes back as its ISO string, `undefined` members disappear —
 * whichever adapter runs, and a caller mutating what it got never changes what others get.
 */
export function encodeValue(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) throw new ValidationError(`cache value for ${key} has no JSON form`, { key });
  return text;
}

export function decodeValue<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined ? undefined : (JSON.parse(text) as T);
}

/** A TTL in whole milliseconds (rounded up, Redis PX takes integers); anything not positive is a bug. */
export function ttlOf(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ValidationError(`cache TTL must be a positive number of milliseconds (got ${ttlMs})`, {
      ttlMs,
    });
  }
  return Math.ceil(ttlMs);
}

export function incrementOf(by: number): number {
  if (!Number.isSafeInteger(by)) {
    throw new ValidationError(`cache increment must be a safe integer (got ${by})`, { by });
  }
  return by;
}

export function leaseLimitOf(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new ValidationError(`lease limit must be a non-negative integer (got ${limit})`, { limit });
  }
  return limit;
}
