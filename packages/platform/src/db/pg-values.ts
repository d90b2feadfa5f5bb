import pg from 'pg';

const INT8_OID = 20; // bigint, and what COUNT(*) and SUM(integer) return
const NUMERIC_OID = 1700;

/**
 * node-postgres returns `bigint` and `numeric` as strings (they can exceed a JS number). SQLite returns
 * numbers for the same columns, so code written once would see `"3"` on one dialect and `3` on the
 * other (`count(*)` is the everyday case). Both are parsed to numbers here: a bigint beyond 2^53 throws
 * instead of silently losing digits; a numeric becomes the nearest double, the same as SQLite's REAL —
 * keep exact amounts as integers (cents), never numeric.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`bigint ${text} does not fit a JavaScript number exactly`);
  }
  return value;
}

/** Per-pool type parsers (`types` pool option) so pg's process-wide defaults stay untouched. */
export const pgValueParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (format !== 'binary') {
      if (oid === INT8_OID) return parseInt8;
      if (oid === NUMERIC_OID) return Number;
    }
    return pg.types.getTypeParser(oid, format);
  },
};
