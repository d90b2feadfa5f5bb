import { describe, expect, it } from 'vitest';
import { Memo } from './memo.js';

describe('Memo', () => {
  it('answers an entry until it is older than its TTL, then forgets it', () => {
    let now = 1_000;
    const memo = new Memo<string, string>({ max: 10, ttlMs: 100, now: () => now });
    memo.set('a', 'A');
    memo.set('b', 'B', 500);
    now = 1_100;
    expect(memo.get('a')).toBe('A');
    now = 1_101;
    expect(memo.get('a')).toBeUndefined();
    expect(memo.get('b')).toBe('B');
  });

  it('drops the least recently used entry beyond its bound', () => {
    const memo = new Memo<string, number>({ max: 2 });
    memo.set('a', 1);
    memo.set('b', 2);
    memo.get('a');
    memo.set('c', 3);
    expect(memo.get('b')).toBeUndefined();
    expect([memo.get('a'), memo.get('c'), memo.size]).toEqual([1, 3, 2]);
  });

  it('keeps nothing with no room or no lifetime', () => {
    const none = new Memo<string, number>({ max: 0 });
    none.set('a', 1);
    expect([none.get('a'), none.size]).toEqual([undefined, 0]);
    const brief = new Memo<string, number>({ max: 5 });
    brief.set('a', 1);
    brief.set('a', 2, 0);
    expect(brief.get('a')).toBeUndefined();
  });
});
