import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAsset } from './harness.js';
import { startTwoEdges, type Started, type TwoEdges } from './two-edges.js';

/**
 * The stream-limit bypass of issue 20: a basic account (one stream) starts, stops and starts again,
 * keeping the first session's URLs. Stopping must make them stop working at every edge within 60 s.
 */
describe('a stopped session’s media URLs', () => {
  let rig: TwoEdges;

  beforeAll(async () => {
    rig = await startTwoEdges({
      plan: 'basic',
      title: 'Loop',
      durationSeconds: 24,
      renditions: [
        { height: 720, width: 1280, bandwidth: 2_800_000, codecs: 'avc1.64001f,mp4a.40.2' },
        { height: 360, width: 640, bandwidth: 800_000, codecs: 'avc1.64001e,mp4a.40.2' },
      ],
      putMedia: (origin, assetId) => putAsset(origin, assetId),
    });
  }, 60_000);

  afterAll(() => rig?.close());

  /** A segment of the session's token, from one edge: its status and problem code. */
  async function segment(started: Started, edgeUrl: string): Promise<{ status: number; code?: string }> {
    const token = /\/t\/([^/]+)\//.exec(started.manifestUrl)![1]!;
    const res = await request(`${edgeUrl}/t/${token}/a/${rig.assetId}/v360/seg_00001.m4s`);
    if (res.statusCode === 200) {
      await res.body.dump();
      return { status: 200 };
    }
    return { status: res.statusCode, code: ((await res.body.json()) as { code: string }).code };
  }

  it('stop working at every edge within 60 s of the stop; the new session’s URLs work', async () => {
    const first = await rig.sessionOnBothEdges();
    const { edges } = rig;
    for (const e of edges) expect(await segment(first, e.url)).toEqual({ status: 200 });

    expect(await rig.stopSession(first.sessionId)).toBe(204);
    const stoppedAt = Date.now();
    // The basic plan's one slot is free again: a second session starts and plays.
    const second = await rig.call('POST', '/api/playback', { profileId: 'p-1', titleId: rig.titleId });
    expect(second.statusCode).toBe(201);
    const next = (await second.body.json()) as Started;

    for (const e of edges) {
      let answer = await segment(first, e.url);
      while (answer.status === 200 && Date.now() - stoppedAt < 60_000) {
        await new Promise((r) => setTimeout(r, 250));
        answer = await segment(first, e.url);
      }
      expect(answer, e.url).toEqual({ status: 403, code: 'media.session_ended' });
    }
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    for (const e of edges) expect(await segment(next, e.url)).toEqual({ status: 200 });
  }, 90_000);
});
