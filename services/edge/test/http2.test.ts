import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { createTestContext } from '@marquee/platform/testing';
import { CertificateReloader } from '../src/certificate-reload.js';
import { createEdgeH2Server } from '../src/http/h2-server.js';
import { edgeSettings } from '../src/settings.js';
import { loadEdgeTrustAnchor } from '../src/tls.js';
import { bytesOf, putAsset, startEdge } from './harness.js';
import { startOriginFixture } from './origin-fixture.js';

const run = promisify(execFile);

interface H2Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on an open HTTP/2 session. */
function h2get(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}) {
  return new Promise<H2Answer>((resolve, reject) => {
    const stream = session.request({ ':path': path, ...headers });
    const chunks: Buffer[] = [];
    let answer: IncomingHttpHeaders = {};
    stream.on('response', (h) => (answer = h));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () =>
      resolve({ status: Number(answer[':status']), headers: answer, body: Buffer.concat(chunks) }),
    );
    stream.on('error', reject);
    stream.end();
  });
}

/** Which protocol a fresh TLS handshake settles on when the client offers `protocols`. */
function negotiated(port: number, protocols: string[]): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: protocols },
      () => {
        resolve(socket.alpnProtocol ?? false);
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

describe('HTTP/2 at a TLS edge (issue 23 §2)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  let edge: Awaited<ReturnType<typeof startEdge>>;
  let base: string;
  let ca: Buffer;
  let token: string;

  beforeAll(async () => {
    const ctx = await createTestContext({
      settings: { EDGE_TLS: 'self-signed', EDGE_HTTP2: 'true' },
      fragments: [edgeSettings],
    });
    const origin = await startOriginFixture(ctx.secret);
    cleanups.push(async () => {
      await origin.stop();
      await ctx.cleanup();
    });
    putAsset(origin, 'h2');
    edge = await startEdge({ ctx, originFixture: origin });
    cleanups.push(() => edge.stopEdge());
    base = edge.url.replace('http:', 'https:');
    ca = (await loadEdgeTrustAnchor(ctx.settings, ctx.dataDir))!;
    token = edge.token({ asset: 'h2', maxHeight: 720 });
  });

  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('negotiates h2 by ALPN, and http/1.1 for a client that offers only that', async () => {
    const port = Number(new URL(base).port);
    expect(await negotiated(port, ['h2', 'http/1.1'])).toBe('h2');
    expect(await negotiated(port, ['http/1.1'])).toBe('http/1.1');
  });

  it('serves master, playlist, a segment range, 304s, refusals and Fastify routes over one h2 session', async () => {
    const session = connect(base, { ca });
    cleanups.push(() => new Promise<void>((r) => session.close(() => r())));
    const media = (path: string) => `/t/${token}/a/h2/${path}`;

    const master = await h2get(session, media('master.m3u8'));
    expect(master.status).toBe(200);
    expect(master.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(master.headers['cache-control']).toBe('private, no-store');
    const text = master.body.toString();
    expect(text).toContain('v720/index.m3u8');
    expect(text).not.toContain('v1080/index.m3u8'); // the token's height still holds

    const playlist = await h2get(session, media('v720/index.m3u8'));
    expect(playlist.status).toBe(200);
    expect(playlist.body.toString()).toContain('seg_00001.m4s');

    const whole = bytesOf('assets/h2/v720/seg_00001.m4s');
    const range = await h2get(session, media('v720/seg_00001.m4s'), { range: 'bytes=100-1123' });
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe(`bytes 100-1123/${whole.length}`);
    expect(range.body.equals(whole.subarray(100, 1124))).toBe(true);
    // Served from RAM now: the synchronous answer path, over h2 as over the lean responder.
    const full = await h2get(session, media('v720/seg_00001.m4s'));
    expect(full.status).toBe(200);
    expect(full.headers['x-cache']).toBe('HIT-RAM');
    expect(full.headers['x-content-type-options']).toBe('nosniff');
    expect(full.body.equals(whole)).toBe(true);
    const again = await h2get(session, media('v720/seg_00001.m4s'), {
      'if-none-match': String(full.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await h2get(session, media('v720/seg_00001.m4s'), { ':method': 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(whole.length);

    const tooHigh = await h2get(session, media('v1080/seg_00001.m4s'));
    expect(tooHigh.status).toBe(403);
    expect(tooHigh.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(tooHigh.body.toString())).toMatchObject({ status: 403, instance: '/t/[redacted]' });
    const forged = await h2get(session, `/t/${token.slice(0, -2)}xx/a/h2/master.m3u8`);
    expect(forged.status).toBe(403);
    const unsatisfiable = await h2get(session, media('v720/seg_00001.m4s'), { range: 'bytes=999999999-' });
    expect(unsatisfiable.status).toBe(416);

    // What is not a media GET goes to Fastify through Node's compatibility API.
    const ready = await h2get(session, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.headers['x-request-id']).toBeDefined();
    expect(ready.headers['x-content-type-options']).toBe('nosniff');
    const preflight = await h2get(session, media('v720/seg_00002.m4s'), {
      ':method': 'OPTIONS',
      origin: 'https://marquee.test',
      'access-control-request-method': 'GET',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
  });

  it('still answers HTTP/1.1 clients through the lean responder', async () => {
    const agent = new Agent({ connect: { ca } });
    cleanups.push(() => agent.close());
    const url = `${base}/t/${token}/a/h2/v720/seg_00002.m4s`;
    await (await request(url, { dispatcher: agent })).body.dump();
    const hit = await request(url, { dispatcher: agent });
    expect(hit.statusCode).toBe(200);
    expect(hit.headers['x-cache']).toBe('HIT-RAM');
    // The lean responder's answer has no keep-alive header (Node's http server adds one).
    expect(hit.headers['keep-alive']).toBeUndefined();
    expect(Buffer.from(await hit.body.arrayBuffer()).equals(bytesOf('assets/h2/v720/seg_00002.m4s'))).toBe(
      true,
    );
    const ready = await request(`${base}/readyz`, { dispatcher: agent });
    expect(ready.statusCode).toBe(200);
    await ready.body.dump();
  });

  it('lets ffmpeg decode a real stream over https (HTTP/1.1)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-h2-ffmpeg-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '2',
      '-c:v', 'libx264', '-g', '10', '-f', 'hls', '-hls_time', '1', '-hls_playlist_type', 'vod',
      '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4',
      '-hls_segment_filename', join(dir, 'seg_%05d.m4s'), join(dir, 'index.m3u8'),
    ]); // prettier-ignore
    for (const file of await readdir(dir)) {
      const type = file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp4';
      edge.origin.put(`assets/real/v240/${file}`, await readFile(join(dir, file)), type);
    }
    edge.origin.put(
      'assets/real/master.m3u8',
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x240,CODECS="avc1.64000d"\nv240/index.m3u8\n',
      'application/vnd.apple.mpegurl',
    );
    const realToken = edge.token({ asset: 'real' });
    const { stdout } = await run('ffprobe', [
      '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames',
      '-of', 'csv=p=0', `${base}/t/${realToken}/a/real/master.m3u8`,
    ]); // prettier-ignore
    // One line per program ffprobe finds (the session master steers: a program per pathway).
    expect(Number(stdout.trim().split(/\s+/)[0])).toBe(20);
  }, 60_000);
});

describe('a TLS edge without EDGE_HTTP2 (the default)', () => {
  it('offers http/1.1 only', async () => {
    const ctx = await createTestContext({ settings: { EDGE_TLS: 'self-signed' } });
    const origin = await startOriginFixture(ctx.secret);
    try {
      const edge = await startEdge({ ctx, originFixture: origin });
      try {
        const port = Number(new URL(edge.url).port);
        // Node's https server answers ALPN with http/1.1 only: a client asking for h2 gets HTTP/1.1.
        expect(await negotiated(port, ['h2', 'http/1.1'])).toBe('http/1.1');
      } finally {
        await edge.stopEdge();
      }
    } finally {
      await origin.stop();
      await ctx.cleanup();
    }
  });
});

describe('shutting down a TLS edge with HTTP/2 sessions open', () => {
  it('sends GOAWAY and closes, rather than waiting for the browser to leave', async () => {
    const ctx = await createTestContext({
      settings: { EDGE_TLS: 'self-signed', EDGE_HTTP2: 'true' },
      fragments: [edgeSettings],
    });
    const origin = await startOriginFixture(ctx.secret);
    try {
      putAsset(origin, 'bye');
      const edge = await startEdge({ ctx, originFixture: origin });
      const ca = (await loadEdgeTrustAnchor(ctx.settings, ctx.dataDir))!;
      const session = connect(edge.url.replace('http:', 'https:'), { ca });
      const closed = new Promise<void>((r) => session.once('close', r));
      const goaway = new Promise<void>((r) => session.once('goaway', () => r()));
      const answer = await h2get(session, `/t/${edge.token({ asset: 'bye' })}/a/bye/master.m3u8`);
      expect(answer.status).toBe(200);
      // The session stays open (a browser keeps it); close() must not wait for it.
      await edge.stopEdge();
      await goaway;
      await closed;
    } finally {
      await origin.stop();
      await ctx.cleanup();
    }
  });
});

describe('certificate reload on the HTTP/2 server', () => {
  it('serves the new certificate to new handshakes and keeps offering h2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-h2-certs-'));
    try {
      const pair = async (name: string) => {
        const [cert, key] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)];
        await run('openssl', [
          'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
          '-subj', `/CN=${name}`, '-keyout', key, '-out', cert,
        ]); // prettier-ignore
        return { cert: await readFile(cert), key: await readFile(key) };
      };
      const [first, second] = await Promise.all([pair('first.test'), pair('second.test')]);
      const live = { certPath: join(dir, 'live.crt'), keyPath: join(dir, 'live.key') };
      await writeFile(live.certPath, first.cert);
      await writeFile(live.keyPath, first.key);
      const server = createEdgeH2Server(first, 5_000, (_req, res) => res.end('ok'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      const reloader = new CertificateReloader({
        server,
        ...live,
        logger: createLogger({ level: 'silent' }),
      });
      await reloader.start();
      try {
        const served = () =>
          new Promise<{ cn: string; alpn: string | false }>((resolve, reject) => {
            const socket = tlsConnect(
              { port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] },
              () => {
                const cn = socket.getPeerCertificate().subject.CN;
                resolve({ cn: String(cn), alpn: socket.alpnProtocol ?? false });
                socket.end();
              },
            );
            socket.on('error', reject);
          });
        expect(await served()).toEqual({ cn: 'first.test', alpn: 'h2' });
        await writeFile(live.keyPath, second.key);
        await writeFile(live.certPath, second.cert);
        await reloader.check();
        expect(await served()).toEqual({ cn: 'second.test', alpn: 'h2' });
      } finally {
        reloader.stop();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
