import { describe, expect, it } from 'vitest';
import { combine, currentWindow, emailKey, judge } from './rate-limit.js';

const slow = { slowDownStepMs: 100, slowDownMaxMs: 350 };

describe('rate limit decisions', () => {
  it('aligns windows to the clock so every gateway instance shares one key', () => {
    expect(currentWindow(125_000, 60_000)).toEqual({ index: 2, resetsInMs: 55_000 });
    expect(currentWindow(180_000, 60_000)).toEqual({ index: 3, resetsInMs: 60_000 });
  });

  it('allows up to the limit, then refuses until the window resets (whole seconds, at least 1)', () => {
    const rule = { limit: 3, windowMs: 60_000 };
    expect(judge(3, rule, 10_000, slow)).toEqual({ allowed: true, retryAfterSeconds: 0, delayMs: 0 });
    expect(judge(4, rule, 10_001, slow)).toEqual({ allowed: false, retryAfterSeconds: 11, delayMs: 0 });
    expect(judge(4, rule, 5, slow).retryAfterSeconds).toBe(1);
  });

  it('slows down progressively past slowAfter, up to the maximum delay', () => {
    const rule = { limit: 10, windowMs: 60_000, slowAfter: 5 };
    expect([5, 6, 7, 8, 9].map((n) => judge(n, rule, 1_000, slow).delayMs)).toEqual([0, 100, 200, 300, 350]);
  });

  it('combines verdicts: any refusal wins with its longest wait, else the longest delay', () => {
    const ok = (delayMs: number) => ({ allowed: true, retryAfterSeconds: 0, delayMs });
    const no = (retryAfterSeconds: number) => ({ allowed: false, retryAfterSeconds, delayMs: 0 });
    expect(combine([ok(0), ok(200), ok(50)])).toEqual(ok(200));
    expect(combine([ok(200), no(30), no(90)])).toEqual(no(90));
    expect(combine([])).toEqual(ok(0));
  });

  it('keys emails by a hash of the form users normalises them to (NFC, lower case, IDNA)', () => {
    expect(emailKey(' Ann@Example.com ')).toBe(emailKey('ann@example.com'));
    expect(emailKey('ann@example.com')).not.toContain('ann');
    // Issue 20 item 2: a zero-width space or full-width letter in the domain is the same account.
    expect(emailKey('victim@exam\u200bple.test')).toBe(emailKey('victim@example.test'));
    expect(emailKey('victim@ｅxample.test')).toBe(emailKey('victim@example.test'));
    expect(emailKey('jo@Bücher.de')).toBe(emailKey('jo@xn--bcher-kva.de'));
  });
});
