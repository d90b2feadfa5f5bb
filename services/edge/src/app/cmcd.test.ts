import { toCmcdQuery } from '@svta/cml-cmcd';
import { describe, expect, it } from 'vitest';
import { cmcdSample } from './cmcd.js';

const segment = '/t/tok/a/asset1/v240/seg_00003.m4s';

describe('cmcdSample', () => {
  it('reads buffer starvation, buffer length and measured throughput as hls.js sends them', () => {
    const query = toCmcdQuery({ bl: [21300], br: [320], bs: true, d: 4004, mtp: [25400], ot: 'v', su: true });
    expect(cmcdSample(`${segment}?${query}`)).toEqual({
      bufferStarved: true,
      bufferLengthMs: 21300,
      throughputKbps: 25400,
    });
  });

  it('takes the first item of a v2 inner list and reads a missing bs as not starved', () => {
    expect(cmcdSample(`${segment}?CMCD=bl%3D(1200)%2Cmtp%3D(800)%2Cot%3Dv`)).toEqual({
      bufferStarved: false,
      bufferLengthMs: 1200,
      throughputKbps: 800,
    });
  });

  it('keeps a string session id out of the sample even when it holds commas and quotes', () => {
    const query = toCmcdQuery({ sid: 'a,b"c', mtp: [500] });
    expect(cmcdSample(`${segment}?${query}`)).toEqual({ bufferStarved: false, throughputKbps: 500 });
  });

  it('answers nothing for a URL without CMCD, with other arguments, or with garbage in it', () => {
    expect(cmcdSample(segment)).toBeUndefined();
    expect(cmcdSample('/t/tok/a/asset1/master.m3u8?codec=av1')).toBeUndefined();
    expect(cmcdSample(`${segment}?CMCD=%E0%A4%A`)).toBeUndefined();
    // Nonsense values are dropped, not recorded.
    expect(cmcdSample(`${segment}?CMCD=bl%3D-5%2Cmtp%3D%22fast%22`)).toEqual({ bufferStarved: false });
  });
});
