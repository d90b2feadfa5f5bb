import { fromCmcdQuery, toCmcdQuery, type Cmcd } from '@svta/cml-cmcd';
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

describe('cmcdSample against @svta/cml-cmcd', () => {
  it('reads bs, bl and mtp as the library decodes them, for queries the library writes', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const data: Cmcd = {
        ot: random() < 0.5 ? 'v' : 'a',
        sid: `s,"${i}" bs,bl=1`,
        su: random() < 0.5,
      };
      if (random() < 0.5) data.bs = true;
      if (random() < 0.8) data.bl = [Math.round(random() * 60_000)];
      if (random() < 0.8) data.mtp = [Math.round(random() * 100_000)];
      const query = toCmcdQuery(data);
      const decoded = fromCmcdQuery(query) as Record<string, unknown>;
      const first = (v: unknown) => (Array.isArray(v) ? (v as number[])[0] : v);
      expect(cmcdSample(`${segment}?x=1&${query}`)).toEqual({
        bufferStarved: decoded.bs === true,
        ...(decoded.bl === undefined ? {} : { bufferLengthMs: first(decoded.bl) }),
        ...(decoded.mtp === undefined ? {} : { throughputKbps: first(decoded.mtp) }),
      });
    }
  });
});
