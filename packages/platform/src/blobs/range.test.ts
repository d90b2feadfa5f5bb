import { describe, expect, it } from 'vitest';
import { RangeNotSatisfiableError } from './errors.js';
import { checkRange, rangeHeader, resolveRange } from './range.js';

describe('resolveRange', () => {
  it.each([
    [{ start: 0 }, 10, { start: 0, end: 9 }],
    [{ start: 3, end: 5 }, 10, { start: 3, end: 5 }],
    [{ start: 9, end: 9 }, 10, { start: 9, end: 9 }],
    [{ start: 9 }, 10, { start: 9, end: 9 }],
    [{ start: 2, end: 1_000 }, 10, { start: 2, end: 9 }], // end past the last byte is cut, as in HTTP
  ])('%j of %d bytes is %j', (range, size, expected) => {
    expect(resolveRange('k', range, size)).toEqual(expected);
  });

  it.each([
    [{ start: 10 }, 10],
    [{ start: 11, end: 20 }, 10],
    [{ start: 0 }, 0],
  ])('%j of %d bytes is not satisfiable', (range, size) => {
    expect(() => resolveRange('k', range, size)).toThrow(RangeNotSatisfiableError);
  });
});

describe('checkRange', () => {
  it.each([
    { start: -1 },
    { start: 1.5 },
    { start: 5, end: 4 },
    { start: 0, end: Number.NaN },
    { start: Infinity },
  ])('refuses the malformed %j before any I/O', (range) => {
    expect(() => checkRange('k', range)).toThrow(RangeNotSatisfiableError);
  });

  it('accepts a one-byte range and an open end', () => {
    expect(() => checkRange('k', { start: 0, end: 0 })).not.toThrow();
    expect(() => checkRange('k', { start: 7 })).not.toThrow();
  });
});

describe('rangeHeader', () => {
  it('writes open and closed ranges', () => {
    expect(rangeHeader({ start: 5 })).toBe('bytes=5-');
    expect(rangeHeader({ start: 0, end: 99 })).toBe('bytes=0-99');
  });
});
