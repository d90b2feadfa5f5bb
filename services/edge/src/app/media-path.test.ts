import { describe, expect, it } from 'vitest';
import { blobKeyOf, parseMediaPath } from './media-path.js';

describe('parseMediaPath', () => {
  it('splits token, asset and the path inside the asset', () => {
    expect(parseMediaPath('/t/abc.def/a/asset-1/v720/seg_1.m4s?x=1')).toEqual({
      token: 'abc.def',
      assetId: 'asset-1',
      path: 'v720/seg_1.m4s',
    });
    expect(parseMediaPath('/t/x.y/a/a1/poster%20big.jpg')?.path).toBe('poster big.jpg');
    expect(blobKeyOf('a1', 'v720/seg_1.m4s')).toBe('assets/a1/v720/seg_1.m4s');
  });

  it('gives plain paths and paths needing decoding or a closer look the same treatment', () => {
    const pathOf = (rest: string) => parseMediaPath(`/t/x.y/a/a1/${rest}`)?.path;
    expect(pathOf('v720/seg_1.m4s')).toBe('v720/seg_1.m4s');
    expect(pathOf('v720/seg%5F1.m4s')).toBe('v720/seg_1.m4s');
    // A name starting with a dot is not a dot segment: it takes the careful path and is allowed.
    expect(pathOf('v720/.init.mp4')).toBe('v720/.init.mp4');
    expect(pathOf('v720/a..b.m4s')).toBe('v720/a..b.m4s');
    expect(pathOf('v720/seg 1.m4s')).toBe('v720/seg 1.m4s');
    expect(pathOf(`${'a'.repeat(500)}/b`)).toHaveLength(502);
    expect(pathOf(`${'a'.repeat(520)}/b`)).toBeUndefined();
  });

  it('refuses anything that could leave the asset', () => {
    for (const url of [
      '/t/x.y/a/a1/../a2/master.m3u8',
      '/t/x.y/a/a1/%2e%2e/a2/master.m3u8',
      '/t/x.y/a/a1/v1%2f..%2f..%2fx',
      '/t/x.y/a/a1/v1%5cx',
      '/t/x.y/a/a1//master.m3u8',
      '/t/x.y/a/a1/./master.m3u8',
      '/t/x.y/a/a1/%00',
      '/t/x.y/a/a1/%E0%A4%A',
      '/t/x.y/a/../master.m3u8',
      '/t/x.y/a/a1/',
      '/a/a1/master.m3u8',
      `/t/x.y/a/a1/${'a'.repeat(600)}`,
    ]) {
      expect(parseMediaPath(url), url).toBeUndefined();
    }
  });
});
