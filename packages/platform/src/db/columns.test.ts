import { describe, expect, it } from 'vitest';
import { instantColumn, jsonColumn } from './columns.js';

describe('portable column encodings', () => {
  it('refuses values that have no JSON form instead of storing "undefined"', () => {
    expect(() => jsonColumn.encode(undefined)).toThrow(TypeError);
    expect(jsonColumn.encode(null)).toBe('null');
  });

  it('writes instants as fixed-width UTC ISO text, so text order is time order', () => {
    const early = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    const late = new Date(Date.UTC(2026, 10, 21));
    expect(instantColumn.encode(early)).toBe('2026-01-02T03:04:05.006Z');
    expect(instantColumn.encode(early) < instantColumn.encode(late)).toBe(true);
    expect(instantColumn.decode(instantColumn.encode(late))).toEqual(late);
  });

  it('refuses invalid instants both ways', () => {
    expect(() => instantColumn.encode(new Date('nope'))).toThrow(RangeError);
    expect(() => instantColumn.decode('yesterday')).toThrow(RangeError);
  });
});
