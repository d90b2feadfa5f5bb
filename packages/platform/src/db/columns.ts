/**
 * Portable column encodings: the same migration and the same code behave identically on SQLite and
 * PostgreSQL only if values cross the driver as types both understand.
 *
 * - JSON lives in a `text` column, encoded here. SQLite has no JSON type; a PostgreSQL `jsonb` column
 *   would come back already parsed while SQLite's came back as a string, so text is the one behaviour.
 * - Instants live in a `text` column as ISO-8601 UTC (`2026-11-21T06:08:04.000Z`). That format sorts
 *   lexicographically in time order, so `orderBy` and range `where`s work on the text; better-sqlite3
 *   cannot bind a Date, and PostgreSQL `timestamptz` would come back as a Date on one dialect only.
 *   (Epoch milliseconds in a `bigint` column also work: both dialects return a number.)
 * - Booleans live in an `integer` column as 0/1: better-sqlite3 cannot bind `true`, and a PostgreSQL
 *   `boolean` would come back as true/false where SQLite gives 0/1.
 *
 * @example
 *   await db.write.insertInto('titles').values({ genres: jsonColumn.encode(['drama']), created_at: instantColumn.encode(new Date()) }).execute();
 *   const genres = jsonColumn.decode<string[]>(row.genres);
 */
export const jsonColumn = {
  encode(value: unknown): string {
    const text = JSON.stringify(value);
    if (text === undefined)
      throw new TypeError('jsonColumn.encode: value has no JSON form (undefined or a function)');
    return text;
  },
  decode<T>(text: string): T {
    return JSON.parse(text) as T;
  },
};

export const instantColumn = {
  encode(date: Date): string {
    return date.toISOString(); // throws RangeError on an invalid date: never store "Invalid Date"
  },
  decode(text: string): Date {
    const date = new Date(text);
    if (Number.isNaN(date.getTime()))
      throw new RangeError(`instantColumn.decode: ${JSON.stringify(text)} is not an instant`);
    return date;
  },
};

export const flagColumn = {
  encode(flag: boolean): 0 | 1 {
    return flag ? 1 : 0;
  },
  decode(value: number): boolean {
    return value !== 0;
  },
};
