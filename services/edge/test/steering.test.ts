import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putCmafFixture, startTwoEdges, textOnceIncludes, type TwoEdges } from './two-edges.js';

const run = promisify(execFile);

describe('steering across two edges', () => {
  let rig: TwoEdges;

  beforeAll(async () => {
    // Real CMAF HLS made by ffmpeg: 360p and 180p video renditions and an audio group, 6 s.
    rig = await startTwoEdges({
      plan: 'basic',
      title: 'Test Card',
      durationSeconds: 6,
      renditions: [
        { height: 360, width: 640, bandwidth: 70_400, codecs: 'avc1.42c01e,mp4a.40.2' },
        { height: 180, width: 320, bandwidth: 70_400, codecs: 'avc1.42c00c,mp4a.40.2' },
      ],
      putMedia: (origin, assetId, ctx) =>
        putCmafFixture(origin, assetId, join(ctx.dataDir, 'cmaf'), { width: 640, height: 360, seconds: 6 }),
    });
  }, 60_000);

  afterAll(() => rig?.close());

  async function steering(sessionId: string): Promise<string[]> {
    const res = await rig.call('GET', `/api/steering/${sessionId}?_HLS_pathway=x`);
    return ((await res.body.json()) as { 'PATHWAY-PRIORITY': string[] })['PATHWAY-PRIORITY'];
  }

  it('plays through a steered master from both edges, and steers off an edge that stops', async () => {
    const started = await rig.sessionOnBothEdges();
    const { edges } = rig;
    expect(started.edges.map((e) => e.url).sort()).toEqual(edges.map((e) => e.url).sort());
    const { sessionId, manifestUrl } = started;
    const masterText = await textOnceIncludes(manifestUrl, 'EXT-X-CONTENT-STEERING');
    const master = HLS.parse(masterText);
    if (!master.isMasterPlaylist) throw new Error('expected a master');
    expect(masterText).toContain(
      `#EXT-X-CONTENT-STEERING:SERVER-URI="http://127.0.0.1:8080/api/steering/${sessionId}"`,
    );
    const pathways = new Set(masterText.match(/PATHWAY-ID="[^"]+"/g));
    expect(pathways.size).toBe(2);
    for (const e of edges) expect(master.variants.some((v) => v.uri.startsWith(`${e.url}/t/`))).toBe(true);

    // ffmpeg decodes the whole session master (every variant of both pathways) from the edges.
    await run('ffmpeg', ['-hide_banner', '-v', 'error', '-i', manifestUrl, '-map', '0', '-f', 'null', '-'], {
      timeout: 60_000,
    });

    // Stop the edge the player started on: within 10 s steering leaves it…
    const [first, second] = started.edges;
    const stopping = edges.find((e) => e.url === first!.url)!;
    const stoppedAt = Date.now();
    await stopping.module.app.close();
    let priority = await steering(sessionId);
    while (priority.includes(first!.edgeId) && Date.now() - stoppedAt < 10_000) {
      await new Promise((r) => setTimeout(r, 250));
      priority = await steering(sessionId);
    }
    expect(priority).toEqual([second!.edgeId]);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    // …and the other pathway's URIs keep playing.
    const other = master.variants.find((v) => v.uri.startsWith(`${second!.url}/t/`))!;
    const playlist = await request(other.uri);
    expect(playlist.statusCode).toBe(200);
    const media = HLS.parse(await playlist.body.text());
    if (media.isMasterPlaylist) throw new Error('expected a media playlist');
    const segment = await request(new URL(media.segments[1]!.uri, other.uri).toString());
    expect(segment.statusCode).toBe(200);
    expect((await segment.body.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }, 60_000);
});
