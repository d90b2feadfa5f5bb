import { describe, expect, it } from 'vitest';
import { assertTarget, isLoopbackHost, parseDuration, parseLoadOptions } from './options.js';

describe('marquee load options', () => {
  it('reads durations', () => {
    expect(parseDuration('30s', 'd')).toBe(30_000);
    expect(parseDuration('2m', 'd')).toBe(120_000);
    expect(parseDuration('1500ms', 'd')).toBe(1500);
    expect(parseDuration('5', 'd')).toBe(5000);
    expect(() => parseDuration('soon', '--duration')).toThrow(/--duration/);
  });

  it('only loads loopback addresses unless remote loads are allowed', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', 'localhost', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['10.0.0.1', 'example.com', '128.0.0.1', '[::2]'])
      expect(isLoopbackHost(host)).toBe(false);
    expect(() => assertTarget('http://example.com', false)).toThrow(/--allow-remote/);
    expect(assertTarget('http://example.com', true).host).toBe('example.com');
    expect(() => assertTarget('file:///etc/passwd', true)).toThrow(/http/);
    expect(() => parseLoadOptions(['--base', 'http://10.1.2.3:8080'])).toThrow(/not a loopback/);
    expect(() => parseLoadOptions(['--static', 'http://10.1.2.3/master.m3u8'])).toThrow(/not a loopback/);
  });

  it('is bounded in viewers and time, with a default target from MARQUEE_PORT', () => {
    const o = parseLoadOptions(['--viewers', '20', '--duration', '30s'], { MARQUEE_PORT: '9090' });
    expect(o).toMatchObject({
      base: 'http://127.0.0.1:9090',
      viewers: 20,
      durationMs: 30_000,
      rampMs: 7_500,
    });
    expect(() => parseLoadOptions(['--viewers', '0'])).toThrow(/--viewers/);
    expect(() => parseLoadOptions(['--viewers', '1000000'])).toThrow(/--viewers/);
    expect(() => parseLoadOptions(['--duration', '48h'])).toThrow(/--duration/);
    expect(() => parseLoadOptions(['--duration', '10s', '--ramp', '20s'])).toThrow(/--ramp/);
  });
});
