import { InvalidKeyError } from './errors.js';

/** S3's own limit on a key; the filesystem adapter stays under PATH_MAX with it. */
export const MAX_KEY_BYTES = 1024;
/** NAME_MAX of every Linux filesystem we run on: one path segment becomes one file name. */
export const MAX_SEGMENT_BYTES = 255;

// C0 controls (NUL included), DEL and C1 controls: invisible in logs, some are path terminators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A lone UTF-16 surrogate has no UTF-8 form: two different keys would map to the same bytes (U+FFFD).
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `key` is refused, or undefined when it is a valid blob key. Pure: decides only from the string.
 * A key is relative and '/'-separated; it cannot name a parent or the current folder, so no key can
 * resolve outside the store however it is joined to a root. Percent-escapes are NOT decoded: `%2e%2e`
 * is a literal file name, harmless because nothing downstream decodes it.
 */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'must be a string';
  if (key.length === 0) return 'must not be empty';
  const common = characterProblem(key);
  if (common) return common;
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) return problem;
  }
  return undefined;
}

/** Throws InvalidKeyError unless `key` is a valid blob key (see keyProblem). */
export function validateKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new InvalidKeyError(String(key), problem);
  return key;
}

/**
 * A list prefix is a key cut anywhere: '' (everything), `assets/a1/` (a folder) or `assets/a` (every key
 * starting so). Complete segments follow the key rules; the last, partial one may be empty or start
 * with dots (`a/..` matches the valid key `a/..x`), which is harmless since a prefix is only compared.
 */
export function validatePrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new InvalidKeyError(String(prefix), 'prefix must be a string');
  if (prefix.length === 0) return prefix;
  const common = characterProblem(prefix);
  if (common) throw new InvalidKeyError(prefix, common);
  const segments = prefix.split('/');
  for (const segment of segments.slice(0, -1)) {
    const problem = segmentProblem(segment);
    if (problem) throw new InvalidKeyError(prefix, problem);
  }
  const last = segments.at(-1) ?? '';
  if (Buffer.byteLength(last) > MAX_SEGMENT_BYTES)
    throw new InvalidKeyError(prefix, `segments must be at most ${MAX_SEGMENT_BYTES} bytes`);
  return prefix;
}

/** The order every adapter lists in: UTF-8 byte order, which is S3's (not JavaScript's UTF-16 order). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function characterProblem(value: string): string | undefined {
  if (value.startsWith('/')) return 'must be relative (no leading /)';
  if (value.includes('\\')) return 'must not contain backslashes';
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode';
  if (Buffer.byteLength(value) > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} bytes`;
  return undefined;
}

function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'must not contain empty segments (//, or a leading or trailing /)';
  if (segment === '.' || segment === '..') return 'must not contain . or .. segments';
  if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
    return `segments must be at most ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}
