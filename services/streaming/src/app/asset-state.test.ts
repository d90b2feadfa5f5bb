import { describe, expect, it } from 'vitest';
import { nextAssetState, type AssetSnapshot, type AssetState } from './asset-state.js';

const at = (state: AssetState, progress = 0): AssetSnapshot => ({
  state,
  progress,
  stage: null,
  reason: null,
});
const encoded = {
  type: 'encoded' as const,
  renditions: [
    { height: 360, width: 640, bandwidth: 800_000, codecs: 'avc1.64001e,mp4a.40.2' },
    { height: 720, width: 1280, bandwidth: 2_800_000, codecs: 'avc1.64001f,mp4a.40.2' },
  ],
  durationSeconds: 12,
};

describe('nextAssetState', () => {
  it('walks uploading → queued → encoding → ready', () => {
    expect(nextAssetState(at('uploading'), { type: 'uploaded' })).toEqual({ state: 'queued' });
    expect(nextAssetState(at('queued'), { type: 'progress', progress: 0.2, stage: 'encode' })).toEqual({
      state: 'encoding',
      progress: 0.2,
      stage: 'encode',
    });
    const ready = nextAssetState(at('encoding', 0.9), encoded);
    expect(ready).toMatchObject({ state: 'ready', progress: 1, posterKey: null });
    // Highest rendition first, whatever order the encoder listed them in.
    expect(ready?.state === 'ready' && ready.renditions.map((r) => r.height)).toEqual([720, 360]);
  });

  it('never moves a ready asset back, whatever arrives late', () => {
    for (const late of [
      { type: 'uploaded' as const },
      { type: 'progress' as const, progress: 0.5, stage: 'encode' },
      { type: 'failed' as const, reason: 'late failure' },
      encoded,
    ]) {
      expect(nextAssetState(at('ready', 1), late)).toBeUndefined();
    }
  });

  it('only lets progress grow, and ignores duplicates', () => {
    expect(
      nextAssetState(at('encoding', 0.6), { type: 'progress', progress: 0.4, stage: 'x' }),
    ).toBeUndefined();
    expect(
      nextAssetState(at('encoding', 0.6), { type: 'progress', progress: 0.6, stage: 'x' }),
    ).toBeUndefined();
    expect(nextAssetState(at('encoding', 0.6), { type: 'progress', progress: 7, stage: 'x' })).toMatchObject({
      progress: 1,
    });
    expect(nextAssetState(at('queued'), { type: 'uploaded' })).toBeUndefined();
  });

  it('fails from any unfinished state once, and a later encode still wins', () => {
    for (const state of ['uploading', 'queued', 'encoding'] as const) {
      expect(nextAssetState(at(state), { type: 'failed', reason: 'no video stream' })).toEqual({
        state: 'failed',
        reason: 'no video stream',
      });
    }
    expect(nextAssetState(at('failed'), { type: 'failed', reason: 'again' })).toBeUndefined();
    expect(nextAssetState(at('failed'), { type: 'progress', progress: 0.1, stage: 'x' })).toBeUndefined();
    expect(nextAssetState(at('failed'), encoded)).toMatchObject({ state: 'ready' });
  });
});
