import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ViewerHttp } from './http.js';
import { LoadMetrics } from './metrics.js';
import { SimulatedPlayer } from './player.js';

/**
 * Rolling restarts (issue 13 §3): a player with two pathways (two edges) whose segment request fails
 * at the connection level — the edge restarting — sends it once to the same segment on the other
 * pathway and plays on from there, as hls.js's content steering falls back; the report counts it as a
 * retry, not as an error.
 */

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const media = (segments: number) =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-MAP:URI="init.mp4"',
    ...Array.from({ length: segments }, (_, i) => `#EXTINF:2.0,\nseg_${i + 1}.m4s`),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');

/** An edge serving one title's playlists and segments; `resetSegments` cuts every segment request. */
async function edge(resetSegments: boolean) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    seen.push(path);
    if (path.endsWith('.m3u8')) {
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
      return res.end(media(3));
    }
    if (resetSegments && path.endsWith('.m4s')) return req.socket.destroy();
    res.writeHead(200, { 'content-type': 'video/mp4' });
    res.end(Buffer.alloc(2_000));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A master playlist naming both edges as pathways, the restarting one first. */
async function master(first: string, second: string): Promise<string> {
  const body = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=640x360,CODECS="avc1.64001e",PATHWAY-ID="a"`,
    `${first}/v360/index.m3u8`,
    `#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=640x360,CODECS="avc1.64001e",PATHWAY-ID="b"`,
    `${second}/v360/index.m3u8`,
    '',
  ].join('\n');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/master.m3u8`;
}

describe('the simulated player with two pathways', () => {
  it('moves a segment that met a reset connection to the other pathway: a retry, not an error', async () => {
    const restarting = await edge(true);
    const serving = await edge(false);
    const metrics = new LoadMetrics();
    const http = new ViewerHttp({});
    const player = new SimulatedPlayer({
      http,
      metrics,
      bufferSegments: 3,
      checkTarget: () => undefined,
      stopping: () => false,
      sleep: async () => undefined,
    });
    let firstSegment = false;
    try {
      const result = await player.play({
        manifestUrl: await master(restarting.url, serving.url),
        resumeAt: 0,
        watchMs: 0,
        onFirstSegment: () => (firstSegment = true),
      });
      expect(result).toMatchObject({ started: true });
      expect(result.failure).toBeUndefined();
    } finally {
      await http.close();
    }
    expect(firstSegment).toBe(true);
    expect(Object.fromEntries(metrics.errors)).toEqual({});
    // The init section and the first segment each failed once on the restarting edge and moved.
    expect(metrics.retryCount).toBeGreaterThanOrEqual(1);
    expect([...metrics.retries.keys()]).toEqual(['segment connection: other pathway']);
    expect(serving.seen.filter((p) => p.endsWith('.m4s'))).toContain('/v360/seg_1.m4s');
  });

  it('still counts an error when there is no other pathway to go to', async () => {
    const restarting = await edge(true);
    const metrics = new LoadMetrics();
    const http = new ViewerHttp({});
    const player = new SimulatedPlayer({
      http,
      metrics,
      bufferSegments: 3,
      checkTarget: () => undefined,
      stopping: () => false,
      sleep: async () => undefined,
    });
    try {
      const result = await player.play({
        manifestUrl: `${restarting.url}/v360/index.m3u8`.replace('index', 'master'),
        resumeAt: 0,
        watchMs: 0,
        onFirstSegment: () => undefined,
      });
      expect(result.started).toBe(false);
    } finally {
      await http.close();
    }
    expect(metrics.retryCount).toBe(0);
  });
});
