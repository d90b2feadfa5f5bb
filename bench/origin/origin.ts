import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';
import type { Trace } from './trace.js';

/** Deterministic bytes of a key (a repeated digest: cheap to make, different per object). */
function bodyOf(key: string, size: number): Buffer {
  return Buffer.alloc(size, createHash('sha256').update(key).digest());
}

/** A title's master and media playlists, so the edge can build its rendition index. */
function playlistsOf(trace: Trace, asset: string): Map<string, string> {
  const segments: string[] = [];
  for (let s = 1; trace.sizes.has(`assets/${asset}/v720/seg_${String(s).padStart(5, '0')}.m4s`); s++) {
    segments.push(`#EXTINF:4.0,\nseg_${String(s).padStart(5, '0')}.m4s`);
  }
  return new Map([
    [
      `assets/${asset}/master.m3u8`,
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720,CODECS="avc1.64001f"\nv720/index.m3u8\n',
    ],
    [
      `assets/${asset}/v720/index.m3u8`,
      `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n${segments.join('\n')}\n#EXT-X-ENDLIST\n`,
    ],
  ]);
}

/**
 * One origin for both caches: storage's contract for the edge (`/origin/<key>`, service token,
 * strong SHA-256 ETag) and plain `/n/<key>` for nginx. It counts the segment bytes it sends to each:
 * what each cache costs the origin, the figure the benchmark is about.
 */
export async function startBenchOrigin(trace: Trace, secret: string) {
  const token = serviceToken(secret);
  const etags = new Map<string, string>();
  const segmentBytes = { edge: 0, nginx: 0 };
  const playlistFetches = { edge: 0, nginx: 0 };
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const forEdge = url.startsWith('/origin/');
    if (forEdge && req.headers[SERVICE_TOKEN_HEADER] !== token) return void res.writeHead(401).end();
    const key = decodeURIComponent(url.replace(/^\/(origin|n)\//, ''));
    const client = forEdge ? 'edge' : 'nginx';
    const size = trace.sizes.get(key);
    let body: Buffer | undefined;
    let type = 'video/iso.segment';
    if (size !== undefined) {
      body = bodyOf(key, size);
      segmentBytes[client] += size;
    } else {
      const asset = /^assets\/([^/]+)\//.exec(key)?.[1];
      const text = asset ? playlistsOf(trace, asset).get(key) : undefined;
      if (text !== undefined) {
        body = Buffer.from(text);
        type = 'application/vnd.apple.mpegurl';
        playlistFetches[client]++;
      }
    }
    if (!body) return void res.writeHead(404).end();
    let etag = etags.get(key);
    if (!etag) etags.set(key, (etag = `"${createHash('sha256').update(body).digest('hex')}"`));
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    segmentBytes,
    playlistFetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
