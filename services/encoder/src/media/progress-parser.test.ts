import { describe, expect, it } from 'vitest';
import { ProgressParser } from './progress-parser.js';

describe('ProgressParser', () => {
  it('parses blocks split across chunks', () => {
    const parser = new ProgressParser();
    expect(parser.push('frame=10\nout_time_us=N/A\nprogress=continue\nframe=')).toEqual([
      { outTimeSeconds: 0, frame: 10, done: false },
    ]);
    expect(parser.push('50\ntotal_size=1024\nout_time_us=2000000\nprogress=end\n')).toEqual([
      { outTimeSeconds: 2, frame: 50, totalSize: 1024, done: true },
    ]);
  });

  it('reads the out_time_ms key of old builds (microseconds despite its name)', () => {
    expect(new ProgressParser().push('out_time_ms=1500000\nprogress=continue\n')).toEqual([
      { outTimeSeconds: 1.5, done: false },
    ]);
  });
});
