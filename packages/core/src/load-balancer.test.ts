import { describe, expect, it } from 'vitest';
import { LoadBalancer } from './load-balancer.js';

const A = 'http://a:1';
const B = 'http://b:2';
const C = 'http://c:3';

describe('LoadBalancer', () => {
  it('alternates between idle instances (round robin on ties)', () => {
    const lb = new LoadBalancer([A, B, C]);
    expect([lb.pick(), lb.pick(), lb.pick(), lb.pick()]).toEqual([A, B, C, A]);
  });

  it('sends the next call to the instance with the fewest calls in flight', () => {
    const lb = new LoadBalancer([A, B]);
    const first = lb.begin();
    const second = lb.begin();
    expect(new Set([first, second])).toEqual(new Set([A, B]));
    lb.begin(); // one of them now has 2
    lb.end(A);
    lb.end(A);
    // A has 0 in flight, B has 1 or 2: least-outstanding picks A every time.
    expect([lb.pick(), lb.pick(), lb.pick()]).toEqual([A, A, A]);
  });

  it('round-robin ignores the calls in flight', () => {
    const lb = new LoadBalancer([A, B], { strategy: 'round-robin' });
    lb.begin();
    lb.begin();
    lb.begin();
    expect([lb.pick(), lb.pick()]).toEqual([B, A]);
  });

  it('skips an ejected instance until it is re-admitted or its ejection lapses', () => {
    let now = 1_000;
    const lb = new LoadBalancer([A, B], { ejectionMs: 5_000, now: () => now });
    lb.eject(A, 'connection refused');
    expect([lb.pick(), lb.pick(), lb.pick()]).toEqual([B, B, B]);
    expect(lb.snapshot()).toEqual([
      { url: A, outstanding: 0, ejected: true, reason: 'connection refused' },
      { url: B, outstanding: 0, ejected: false },
    ]);
    now += 5_001;
    expect(new Set([lb.pick(), lb.pick()])).toEqual(new Set([A, B]));
    lb.eject(A, 'failed health check');
    lb.admit(A);
    expect(lb.isEjected(A)).toBe(false);
  });

  it('uses every instance when all are ejected (panic mode) rather than none', () => {
    const lb = new LoadBalancer([A, B]);
    lb.eject(A, 'x');
    lb.eject(B, 'x');
    expect(new Set([lb.pick(), lb.pick()])).toEqual(new Set([A, B]));
  });

  it('never counts below zero and rejects unknown instances', () => {
    const lb = new LoadBalancer([A]);
    lb.end(A);
    expect(lb.snapshot()[0]!.outstanding).toBe(0);
    expect(() => lb.end(B)).toThrow(/unknown instance/);
    expect(() => new LoadBalancer([])).toThrow();
  });
});

describe('LoadBalancer stall detection (a frozen instance)', () => {
  const setup = () => {
    const clock = { now: 1_000 };
    const lb = new LoadBalancer([A, B], { stallMs: 2_500, ejectionMs: 10_000, now: () => clock.now });
    return { clock, lb };
  };

  it('ejects an instance whose calls get no answer at all for stallMs', () => {
    const { clock, lb } = setup();
    expect(lb.begin()).toBe(A);
    clock.now += 2_499;
    expect(lb.isEjected(A)).toBe(false);
    expect(lb.snapshot()[0]!.ejected).toBe(false);
    clock.now += 1;
    expect(lb.snapshot()[0]).toMatchObject({
      url: A,
      ejected: true,
      reason: expect.stringMatching(/^stalled/),
    });
    expect([lb.pick(), lb.pick()]).toEqual([B, B]);
  });

  it('keeps a slow instance that still answers something in, and a probe counts as an answer', () => {
    const { clock, lb } = setup();
    lb.begin(); // A: a call that will take long
    lb.begin(); // B
    for (let t = 0; t < 10; t++) {
      clock.now += 1_000;
      lb.answered(B); // B answers its calls
      if (t % 2 === 0) lb.admit(A); // A answers its health probes, every 2 s
      lb.pick();
    }
    expect(lb.snapshot().map((i) => i.ejected)).toEqual([false, false]);
  });

  it('does not watch unwatched calls (uploads), nor an instance with nothing in flight', () => {
    const { clock, lb } = setup();
    lb.begin(undefined, false); // an upload on A
    clock.now += 60_000;
    expect(lb.snapshot()[0]!.ejected).toBe(false);
    lb.end(A, false);
    clock.now += 60_000;
    expect(lb.snapshot()[0]!.ejected).toBe(false);
  });

  it('starts the silence with the first call after an idle spell, and a health probe re-admits', () => {
    const { clock, lb } = setup();
    lb.answered(A);
    clock.now += 60_000; // idle for a minute: not silent, just unused
    expect(lb.begin()).toBe(A);
    clock.now += 1_000;
    expect(lb.isEjected(A)).toBe(false);
    clock.now += 1_500;
    lb.pick();
    expect(lb.isEjected(A)).toBe(true);
    lb.admit(A);
    expect(lb.isEjected(A)).toBe(false);
  });

  it('is off with stallMs 0', () => {
    const clock = { now: 0 };
    const lb = new LoadBalancer([A], { stallMs: 0, now: () => clock.now });
    lb.begin();
    clock.now += 60_000;
    expect(lb.snapshot()[0]!.ejected).toBe(false);
  });
});
