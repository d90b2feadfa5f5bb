import { describe, expect, it } from 'vitest';
import { parseRangeHeader } from './http-range.js';

describe('parseRangeHeader', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-1000', 100, { start: 0, end: 99 }],
    ['bytes=50-1000', 100, { start: 50, end: 99 }],
    ['bytes=99-99', 100, { start: 99, end: 99 }],
  ])('%s of %i bytes', (header, size, expected) => {
    expect(parseRangeHeader(header, size)).toEqual(expected);
  });

  it('reports ranges past the end as unsatisfiable', () => {
    expect(parseRangeHeader('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRangeHeader('bytes=0-0', 0)).toBe('unsatisfiable');
    expect(parseRangeHeader('bytes=-0', 10)).toBe('unsatisfiable');
  });

  it('serves the whole object for absent, multi-range or malformed headers', () => {
    expect(parseRangeHeader(undefined, 10)).toBeUndefined();
    expect(parseRangeHeader('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRangeHeader('items=0-1', 10)).toBeUndefined();
    expect(parseRangeHeader('bytes=5-2', 10)).toBeUndefined();
  });
});
