import { createHash, randomBytes } from 'node:crypto';

/**
 * How the Memcached adapter lays Marquee's cache out in memcached items. Pure, so the decisions are
 * tested without a server.
 *
 * Memcached expires items on a clock that ticks once a second (an item given 1 s may vanish at once,
 * at the next tick), while the cache port promises millisecond TTLs. So every item carries its own
 * expiry in milliseconds on the writer's clock, readers treat a lapsed item as absent, and memcached's
 * own expiry is only the backstop that frees the memory a little later (see lifetimeOf).
 *
 * An entry under a cache key is either
 *   `v<expiresAtMs> <json>`       a value, or
 *   `c<expiresAtMs> <windowId>`   a counter's window, whose count lives in its own item (countKey) as
 *                                 memcached's native decimal so that incr/decr stay atomic.
 */
export type Entry =
  | { kind: 'value'; expiresAt: number; json: string }
  | { kind: 'counter'; expiresAt: number; windowId: string };

export function valueEntry(expiresAt: number, json: string): string {
  return `v${expiresAt} ${json}`;
}

export function counterEntry(expiresAt: number, windowId: string): string {
  return `c${expiresAt} ${windowId}`;
}

/** The entry an item holds, or undefined for anything this adapter did not write. */
export function decodeEntry(text: unknown): Entry | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^([vc])(\d{1,16}) /.exec(text);
  if (match === null) return undefined;
  const expiresAt = Number(match[2]);
  const rest = text.slice(match[0].length);
  if (match[1] === 'v') return { kind: 'value', expiresAt, json: rest };
  return /^[0-9a-z]{1,32}$/.test(rest) ? { kind: 'counter', expiresAt, windowId: rest } : undefined;
}

/** A fresh window id: a counter deleted and recreated within one millisecond must not find its old count. */
export function newWindowId(): string {
  return randomBytes(9).toString('hex');
}

/**
 * Memcached's incr/decr work on unsigned 64-bit decimals and decr stops at 0, while the port's counters
 * may go negative (`increment(key, ttl, -2)` is -2). Counts are stored shifted by 2^63, so every safe
 * integer maps into memcached's range and neither wraps nor clamps.
 */
const COUNT_BIAS = 2n ** 63n;

export function storedCount(count: number): string {
  return (BigInt(count) + COUNT_BIAS).toString();
}

export function countOf(stored: unknown): number | undefined {
  if (typeof stored !== 'string' || !/^\d{1,20}$/.test(stored.trim())) return undefined;
  return Number(BigInt(stored.trim()) - COUNT_BIAS);
}

const THIRTY_DAYS_S = 60 * 60 * 24 * 30;

/**
 * Memcached's expiry for an item that must live `ttlMs` more: whole seconds rounded up plus one tick of
 * slack, so memcached never drops an item before its own millisecond expiry has passed. Beyond 30 days
 * memcached reads the number as a Unix time, so long TTLs are sent as one.
 */
export function lifetimeOf(ttlMs: number, nowMs: number): number {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000)) + 1;
  return seconds <= THIRTY_DAYS_S ? seconds : Math.floor(nowMs / 1000) + seconds;
}

/** Memcached keys: at most 250 bytes of printable ASCII without spaces (the text protocol's rule). */
const MAX_KEY_BYTES = 250;
const PLAIN_KEY = /^[\x21-\x7e]+$/;

/**
 * The item name for a cache key under `prefix`. A key memcached cannot take as it is (too long, spaces,
 * control or non-ASCII characters) is named by its SHA-256 instead, so every key the port accepts works.
 */
export function itemKey(prefix: string, key: string): string {
  const plain = `${prefix}${key}`;
  if (plain.length <= MAX_KEY_BYTES && PLAIN_KEY.test(plain)) return plain;
  return `${prefix}#sha256:${createHash('sha256').update(key).digest('hex')}`;
}
