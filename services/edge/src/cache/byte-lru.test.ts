import { describe, expect, it } from 'vitest';
import { ByteLru } from './byte-lru.js';

describe('ByteLru', () => {
  it('evicts the least recently used entries to stay within its byte budget', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    expect(lru.set('c', 'C', 4)).toEqual([['b', 'B']]);
    expect([...lru.keys()]).toEqual(['a', 'c']);
    expect(lru.bytes).toBe(8);
  });

  it('replaces an entry without double counting and refuses one larger than the budget', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 6);
    lru.set('a', 'A2', 3);
    expect(lru.bytes).toBe(3);
    expect(lru.set('huge', 'H', 11)).toEqual([['huge', 'H']]);
    expect(lru.has('huge')).toBe(false);
    expect(lru.delete('a')).toBe('A2');
    expect(lru.bytes).toBe(0);
    expect(lru.count).toBe(0);
  });

  it('can evict several entries for one large insert', () => {
    const lru = new ByteLru<number>(10);
    for (let i = 0; i < 5; i++) lru.set(`k${i}`, i, 2);
    expect(lru.set('big', 9, 9).map(([k]) => k)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(lru.bytes).toBe(9);
  });

  it('names what an insert would evict without evicting it', () => {
    const lru = new ByteLru<number>(10);
    for (let i = 0; i < 5; i++) lru.set(`k${i}`, i, 2);
    expect(lru.victimsFor(0)).toEqual([]);
    expect(lru.victimsFor(1)).toEqual(['k0']);
    expect(lru.victimsFor(5)).toEqual(['k0', 'k1', 'k2']);
    expect(lru.count).toBe(5);
  });

  it('lists keys least recently used first; peek, has and a refused insert leave the order alone', () => {
    const lru = new ByteLru<string>(10);
    for (const key of ['a', 'b', 'c']) lru.set(key, key.toUpperCase(), 2);
    expect(lru.peek('a')).toBe('A');
    expect(lru.has('a')).toBe(true);
    expect(lru.set('b', 'B', 11)).toEqual([['b', 'B']]); // too large: the old b goes too
    expect([...lru.keys()]).toEqual(['a', 'c']);
    lru.get('a');
    expect([...lru.keys()]).toEqual(['c', 'a']);
    expect(lru.victimsFor(7)).toEqual(['c']);
  });

  it('counts the new size when the same value is set again', () => {
    const value = { n: 1 };
    const lru = new ByteLru<{ n: number }>(10);
    lru.set('a', value, 2);
    lru.set('a', value, 8);
    expect(lru.bytes).toBe(8);
    expect(lru.set('b', value, 4)).toEqual([['a', value]]);
  });

  it('keeps nothing with a budget of zero', () => {
    const lru = new ByteLru<string>(0);
    expect(lru.set('a', 'A', 1)).toEqual([['a', 'A']]);
    expect([lru.get('a'), lru.count, lru.bytes, [...lru.keys()]]).toEqual([undefined, 0, 0, []]);
  });

  it('evicts and orders as a plain recency list would over a random workload', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const lru = new ByteLru<number>(100);
    let model: { key: string; value: number; size: number }[] = []; // least recently used first
    const remove = (key: string) => (model = model.filter((e) => e.key !== key));
    for (let i = 0; i < 5_000; i++) {
      const key = `k${random(40)}`;
      const op = random(10);
      if (op < 5) {
        const size = 1 + random(30);
        const evicted: [string, number][] = [];
        remove(key);
        model.push({ key, value: i, size });
        while (model.reduce((sum, e) => sum + e.size, 0) > 100) {
          const oldest = model.shift()!;
          evicted.push([oldest.key, oldest.value]);
        }
        expect(lru.victimsFor(0)).toEqual([]);
        expect(lru.set(key, i, size)).toEqual(evicted);
      } else if (op < 8) {
        const entry = model.find((e) => e.key === key);
        if (entry) model = [...model.filter((e) => e !== entry), entry];
        expect(lru.get(key)).toBe(entry?.value);
      } else {
        expect(lru.delete(key)).toBe(model.find((e) => e.key === key)?.value);
        remove(key);
      }
      expect([...lru.keys()]).toEqual(model.map((e) => e.key));
      expect(lru.bytes).toBe(model.reduce((sum, e) => sum + e.size, 0));
    }
  });
});
