import { describe, expect, it } from 'vitest';
import { qualityOptions } from '../src/player/quality-options.js';

describe('the quality menu', () => {
  it('lists each height once and picks its best rung when a height has several rates', () => {
    // hls.js's order: rising bit rate. 720p twice (a hull ladder's 2700 and 4400 kbit/s rungs).
    const levels = [{ height: 240 }, { height: 480 }, { height: 720 }, { height: 720 }];
    expect(qualityOptions(levels, -1, 2)).toEqual([
      { value: -1, label: 'Auto (720p)' },
      { value: 0, label: '240p' },
      { value: 1, label: '480p' },
      { value: 3, label: '720p' },
    ]);
  });

  it('names the playing height only while automatic', () => {
    expect(qualityOptions([{ height: 360 }], 0, 0)[0]).toEqual({ value: -1, label: 'Auto' });
    expect(qualityOptions([], -1, -1)).toEqual([{ value: -1, label: 'Auto' }]);
  });
});
