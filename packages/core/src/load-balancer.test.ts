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
