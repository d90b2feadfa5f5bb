import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { BlobStore } from '@marquee/platform';

const TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  vtt: 'text/vtt',
  jpg: 'image/jpeg',
};

/**
 * The plain hls.js page: no app, no API, no steering. hls.js is created and attached to the video
 * when the page loads (its transmux worker and the MediaSource are ready before the click), so the
 * click only loads the playlist and plays: the best case for a static player.
 */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>reference</title></head><body>
<button data-bench-play>Play</button><video playsinline style="width:640px"></video>
<script src="/hls.min.js"></script>
<script>
  const video = document.querySelector('video');
  const hls = new Hls();
  hls.attachMedia(video);
  document.querySelector('button').addEventListener('click', () => {
    hls.loadSource('/media/master.m3u8');
    video.play().catch(() => {});
  });
</script></body></html>`;

/**
 * A static server holding one encoded asset in memory (copied from the blob store, the files the
 * edges serve) and the plain hls.js page: the same-run reference for playback start.
 */
export async function startReferenceServer(
  blobs: BlobStore,
  assetId: string,
  /** An encrypted asset's key: served where its playlists say (`content.key` beside the master). */
  contentKey?: Buffer,
): Promise<{ url: string; close(): Promise<void> }> {
  const files = new Map<string, Buffer>();
  const prefix = `assets/${assetId}/`;
  for await (const info of blobs.list(prefix)) {
    const { body } = await blobs.get(info.key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    files.set(`/media/${info.key.slice(prefix.length)}`, Buffer.concat(chunks));
  }
  if (!files.has('/media/master.m3u8')) throw new Error(`no master.m3u8 under ${prefix}`);
  if (contentKey) files.set('/media/content.key', contentKey);
  const require = createRequire(import.meta.url);
  files.set('/hls.min.js', await readFile(require.resolve('hls.js/dist/hls.min.js')));

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(PAGE);
    }
    const body = files.get(path);
    if (!body) {
      res.writeHead(404);
      return res.end();
    }
    const ext = path.split('.').pop() ?? '';
    // no-store: like the app's per-session URLs, every play fetches every byte again.
    res.writeHead(200, {
      'content-type': ext === 'js' ? 'text/javascript' : (TYPES[ext] ?? 'application/octet-stream'),
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
