import type { ByteRange } from './port.js';
import { RangeNotSatisfiableError } from './errors.js';

/** Refuses a range that no object could satisfy (negative, fractional, end before start), before any I/O. */
export function checkRange(key: string, range: ByteRange): void {
  const { start, end } = range;
  const wellFormed =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!wellFormed) throw new RangeNotSatisfiableError(key, range, 'malformed range');
}

/**
 * The inclusive byte span a range covers in an object of `size` bytes. As in HTTP, an end past the last
 * byte is cut to it; a start past it cannot be satisfied (so no range of an empty object can).
 */
export function resolveRange(key: string, range: ByteRange, size: number): { start: number; end: number } {
  checkRange(key, range);
  if (range.start >= size) {
    throw new RangeNotSatisfiableError(key, range, `starts past the end of the object (${size} bytes)`, size);
  }
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** The HTTP Range header value for a checked range. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`;
}
