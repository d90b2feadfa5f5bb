import { describe, expect, it } from 'vitest';
import { RecentPages } from './recent-pages.js';

describe('RecentPages', () => {
  it('returns a page until it expires', () => {
    let now = 1_000;
    const pages = new RecentPages(10, 100, () => now);
    pages.set('a', Buffer.from('A'));
    expect(pages.get('a')?.toString()).toBe('A');
    now = 1_100;
    expect(pages.get('a')?.toString()).toBe('A');
    now = 1_101;
    expect(pages.get('a')).toBeUndefined();
    expect(pages.size).toBe(0);
  });

  it('drops the oldest page beyond its bound', () => {
    const pages = new RecentPages(2, 1_000);
    pages.set('a', Buffer.from('A'));
    pages.set('b', Buffer.from('B'));
    pages.set('a', Buffer.from('A2')); // refreshed: now the newest
    pages.set('c', Buffer.from('C'));
    expect(pages.get('b')).toBeUndefined();
    expect(pages.get('a')?.toString()).toBe('A2');
    expect(pages.get('c')?.toString()).toBe('C');
  });

  it('keeps nothing with no room or no lifetime', () => {
    const none = new RecentPages(0, 1_000);
    none.set('a', Buffer.from('A'));
    expect(none.get('a')).toBeUndefined();
    const brief = new RecentPages(5, 1_000);
    brief.set('a', Buffer.from('A'), 0);
    expect(brief.get('a')).toBeUndefined();
  });
});
