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
