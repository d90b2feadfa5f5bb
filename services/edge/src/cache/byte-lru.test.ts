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
});
