import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineList } from './deadline-list.js';

describe('DeadlineList', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const list = () => new DeadlineList(250, () => new Error('too slow'));

  it('passes on an answer that comes in time, and its failure', async () => {
    const deadlines = list();
    await expect(deadlines.within(Promise.resolve(7))).resolves.toBe(7);
    await expect(deadlines.within(Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });

  it('rejects every call past its deadline under one timer, and only those', async () => {
    const deadlines = list();
    const never = deadlines.within(new Promise<number>(() => undefined));
    never.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(100);
    let answer!: (n: number) => void;
    const later = deadlines.within(new Promise<number>((resolve) => (answer = resolve)));
    const stuck = deadlines.within(new Promise<number>(() => undefined));
    stuck.catch(() => undefined);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(160); // the first is past its 250 ms, the others are not
    await expect(never).rejects.toThrow('too slow');
    answer(3);
    await expect(later).resolves.toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    await expect(stuck).rejects.toThrow('too slow');
    expect(vi.getTimerCount()).toBe(0);
  });
});
