import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('shares one run per key while it is in flight, and frees the key when it settles', async () => {
    const flights = new SingleFlight();
    let runs = 0;
    const work = async () => ++runs;
    const [a, b] = [flights.run('k', work), flights.run('k', work)];
    expect(a).toBe(b);
    expect(flights.size).toBe(1);
    expect(await Promise.all([a, b, flights.run('other', work)])).toEqual([1, 1, 2]);
    expect(flights.size).toBe(0);
    expect(await flights.run('k', work)).toBe(3);
  });

  it('turns a synchronous throw into a rejection shared by the waiters, then forgets it', async () => {
    const flights = new SingleFlight();
    const boom = (): Promise<never> => {
      throw new Error('sync boom');
    };
    const waiters = [flights.run('k', boom), flights.run('k', boom)];
    for (const w of waiters) await expect(w).rejects.toThrow('sync boom');
    expect(flights.size).toBe(0);
    expect(await flights.run('k', async () => 'ok')).toBe('ok');
  });
});
