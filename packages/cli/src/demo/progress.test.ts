import { describe, expect, it } from 'vitest';
import { encodeFinished, followEncodes, type TitleEncodeState } from './progress.js';

const movie = (state: string | null): TitleEncodeState => ({ asset: state ? { state } : null });

describe('demo encoding progress', () => {
  it('counts a movie by its asset and a series by every episode', () => {
    expect(encodeFinished(movie('ready'))).toBe(true);
    expect(encodeFinished(movie('failed'))).toBe(true);
    expect(encodeFinished(movie('encoding'))).toBe(false);
    expect(encodeFinished(movie(null))).toBe(false);
    expect(encodeFinished({ episodes: [movie('ready'), movie('queued')] })).toBe(false);
    expect(encodeFinished({ episodes: [movie('ready'), movie('ready')] })).toBe(true);
  });

  it('tells each new count until all titles are finished, and stops when the platform goes away', async () => {
    const states: Record<string, string[]> = {
      a: ['encoding', 'ready'],
      b: ['queued', 'encoding', 'encoding', 'ready'],
      c: ['ready'],
    };
    const read = async (id: string) => movie(states[id]!.length > 1 ? states[id]!.shift()! : states[id]![0]!);
    const told: [number, number][] = [];
    await followEncodes(['a', 'b', 'c'], read, (n, total) => told.push([n, total]), {
      pollMs: 0,
      sleep: async () => {},
    });
    expect(told).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);

    const gone: [number, number][] = [];
    await followEncodes(
      ['a'],
      () => Promise.reject(new Error('connection refused')),
      (n, t) => gone.push([n, t]),
      { pollMs: 0, sleep: async () => {} },
    );
    expect(gone).toEqual([]);
  });
});
