import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import {
  bearer,
  startFakeUsers,
  startGateway,
  startUpstream,
  type FakeUsers,
  type TestGateway,
  type TestUpstream,
} from './harness.js';

let users: FakeUsers;
let streaming: TestUpstream;
let recommender: TestUpstream;
let storage: TestUpstream;
let encoder: TestUpstream;
let analytics: TestUpstream;
let edges: TestUpstream[];
let gw: TestGateway;
let token: string;
let admin: string;
let webDir: string;
const BIG_SCRIPT = Array.from({ length: 2000 }, (_, i) => `export const value${i % 50} = "row ${i}";`).join(
  '\n',
);
const logLines: string[] = [];
const recommenderDelay = { ms: 0 };
const fallbackCalls: string[] = [];
/** What the recommender's rows hold (no posters: it does not know them), and streaming's catalog calls. */
let recommenderItems: Record<string, unknown>[] = [];
const catalogCalls: string[] = [];
const catalogStatus = { code: 200 };

beforeAll(async () => {
  webDir = await mkdtemp(join(tmpdir(), 'marquee-web-'));
  await mkdir(join(webDir, 'assets'));
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>Marquee app</title>');
  await writeFile(join(webDir, 'assets', 'app-3f2a9c.js'), 'console.log("app")');
  await writeFile(join(webDir, 'favicon.svg'), '<svg/>');
  await writeFile(join(webDir, 'assets', 'big-9c1e.js'), BIG_SCRIPT);

  [users, streaming, recommender, storage, encoder, analytics, ...edges] = await Promise.all([
    startFakeUsers(),
    startUpstream('streaming', (app) => {
      app.get('/internal/home-fallback', async (req) => {
        const { maxMaturity } = req.query as { maxMaturity: string };
        fallbackCalls.push(maxMaturity);
        return { rows: [{ id: 'popular', title: 'Popular', items: [{ titleId: `t-${maxMaturity}` }] }] };
      });
      // GET /api/titles items and this batched call give the same posterUrl (null: no poster).
      app.get('/internal/titles', async (req, reply) => {
        const { ids } = req.query as { ids: string };
        catalogCalls.push(ids);
        if (catalogStatus.code !== 200) return reply.status(catalogStatus.code).send({});
        return {
          items: ids
            .split(',')
            .filter((id) => id !== 'unpublished')
            .map((id) => ({
              titleId: id,
              name: id,
              posterUrl: id.startsWith('bare') ? null : `https://edge.example/t/tok/a/${id}/poster.jpg`,
            })),
        };
      });
    }),
    startUpstream('recommender', (app) => {
      app.get('/api/profiles/:profileId/home', async (req) => {
        if (recommenderDelay.ms > 0) await new Promise((r) => setTimeout(r, recommenderDelay.ms));
        return {
          rows: [{ id: 'for-you', title: 'For you', items: recommenderItems }],
          profile: req.headers['x-marquee-account-id'],
        };
      });
    }),
    startUpstream('storage', (app, upstream) => {
      // A tus server's shape: absolute Location on its own origin, offsets in headers.
      app.post('/api/admin/uploads', async (_req, reply) =>
        reply
          .status(201)
          .header('tus-resumable', '1.0.0')
          .header('location', `${upstream.url}/api/admin/uploads/up-1`)
          .send(),
      );
      app.patch('/api/admin/uploads/:id', async (req, reply) =>
        reply
          .status(204)
          .header('tus-resumable', '1.0.0')
          .header('upload-offset', String((req.body as Buffer).length))
          .send(),
      );
      app.head('/api/admin/uploads/:id', async (_req, reply) =>
        reply
          .header('upload-offset', '5')
          .header('upload-length', '10')
          .header('cache-control', 'no-store')
          .send(),
      );
    }),
    startUpstream('encoder'),
    startUpstream('analytics'),
    startUpstream('edge-1'),
    startUpstream('edge-2'),
  ]);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  gw = await startGateway(
    {
      users: [users.url],
      streaming: [streaming.url],
      recommender: [recommender.url],
      storage: [storage.url],
      encoder: [encoder.url],
      analytics: [analytics.url],
      edge: edges.map((e) => e.url),
    },
    {
      webDir,
      logger: pino({ level: 'info' }, sink),
      settings: { CORS_ORIGINS: 'https://app.example', UPLOAD_MAX_BYTES: String(4 * 1024 * 1024) },
      tuning: { homeTimeoutMs: 150 },
    },
  );
  users.profiles.set('p-kid', { accountId: 'acc-1', kids: true, maxMaturity: 'PG' });
  users.profiles.set('p-adult', { accountId: 'acc-1', kids: false, maxMaturity: 'R' });
  token = await users.token({ sub: 'acc-1' });
  admin = await users.token({ sub: 'acc-admin', role: 'admin' });
});
afterAll(async () => {
  await gw.close();
  await Promise.all(
    [users, streaming, recommender, storage, encoder, analytics, ...edges].map((u) => u.close()),
  );
  await rm(webDir, { recursive: true, force: true });
});

describe('/readyz', () => {
  const SERVICES = [
    'gateway',
    'users',
    'streaming',
    'recommender',
    'encoder',
    'edge',
    'storage',
    'analytics',
  ];

  it('answers 200 ready with every service once all are ready', async () => {
    const res = await gw.app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    expect(Object.keys(body.services).sort()).toEqual([...SERVICES].sort());
    expect(body.services.edge).toEqual({ status: 'ready', ready: 2, instances: 2 });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1'); // no topology in a public answer
  });

  it('counts edge as ready while one edge is, and answers 503 with the same shape otherwise', async () => {
    edges[0]!.ready = false;
    await new Promise((r) => setTimeout(r, 1_100)); // past the one-second memo
    const one = await gw.app.inject('/readyz');
    expect(one.statusCode).toBe(200);
    expect(one.json().services.edge).toEqual({ status: 'ready', ready: 1, instances: 2 });

    storage.ready = false;
    await new Promise((r) => setTimeout(r, 1_100));
    const res = await gw.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('not_ready');
    expect(Object.keys(res.json().services).sort()).toEqual([...SERVICES].sort());
    expect(res.json().services.storage.status).toBe('not_ready');
    const detail = await gw.app.inject({ url: '/api/admin/health', headers: bearer(admin) });
    expect(detail.json().services.storage.instances[0]).toMatchObject({
      ready: false,
      detail: 'answered 503',
    });
    storage.ready = true;
    edges[0]!.ready = true;
  });
});

describe('/api/openapi.json', () => {
  it("merges every service's public paths with the gateway's own, without internal ones", async () => {
    const res = await gw.app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    for (const s of ['users', 'streaming', 'recommender', 'storage', 'encoder']) {
      expect(paths).toContain(`/api/${s}-doc/{id}`);
      expect(paths).not.toContain(`/internal/${s}-secret`);
    }
    expect(paths).toEqual(expect.arrayContaining(['/readyz', '/healthz', '/api/openapi.json']));
    expect(doc.paths['/api/streaming-doc/{id}'].get).toMatchObject({ tags: ['streaming'] });
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/openapi.json'].get.security).toEqual([]);
    expect(doc.components.schemas).toHaveProperty('usersThing');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('home rows', () => {
  const home = (profile: string) =>
    gw.app.inject({ url: `/api/profiles/${profile}/home`, headers: bearer(token) });

  it("are the recommender's when it answers in time", async () => {
    recommenderDelay.ms = 0;
    const res = await home('p-adult');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ rows: [{ id: 'for-you', title: 'For you', items: [] }], profile: 'acc-1' });
  });

  it("carry each title's poster from streaming's catalog, asked once in one call for many pages", async () => {
    recommenderDelay.ms = 0;
    recommenderItems = [
      { titleId: 'harbour', name: 'The Long Harbour', year: 2024, maturity: 'PG', genres: ['drama'] },
      { titleId: 'bare-1', name: 'No Art', year: 2020, maturity: 'G', genres: [] },
      { titleId: 'unpublished', name: 'Gone', year: 2020, maturity: 'G', genres: [] },
    ];
    const calls = catalogCalls.length;
    const res = await home('p-adult');
    expect(res.statusCode).toBe(200);
    expect(res.json().rows[0].items).toEqual([
      { ...recommenderItems[0], posterUrl: 'https://edge.example/t/tok/a/harbour/poster.jpg' },
      { ...recommenderItems[1], posterUrl: null },
      recommenderItems[2], // streaming does not list it: left as the recommender wrote it
    ]);
    expect(catalogCalls.slice(calls)).toEqual(['harbour,bare-1,unpublished']);
    for (let i = 0; i < 3; i++) expect((await home('p-adult')).json()).toEqual(res.json());
    expect(catalogCalls.length).toBe(calls + 1); // later pages reuse the answer
    recommenderItems = [];
  });

  it("go out as the recommender wrote them when streaming's catalog cannot answer", async () => {
    recommenderDelay.ms = 0;
    recommenderItems = [{ titleId: 'bare-2', name: 'Elsewhere', year: 2021, maturity: 'G', genres: [] }];
    catalogStatus.code = 503;
    const res = await home('p-adult');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      rows: [{ id: 'for-you', title: 'For you', items: recommenderItems }],
      profile: 'acc-1',
    });
    catalogStatus.code = 200;
    recommenderItems = [];
  });

  it("fall back to streaming's popular rows for the profile's maturity when it is slow", async () => {
    recommenderDelay.ms = 1_000;
    const res = await home('p-kid');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      rows: [{ id: 'popular', title: 'Popular', items: [{ titleId: 't-PG' }] }],
      degraded: true,
    });
    await home('p-kid');
    expect(fallbackCalls.filter((m) => m === 'PG')).toHaveLength(1); // cached
    recommenderDelay.ms = 0;
  });
});

describe('uploads (tus)', () => {
  it('rewrites Location onto the gateway and streams large bodies only on this route', async () => {
    const created = await gw.app.inject({
      method: 'POST',
      url: '/api/admin/uploads',
      headers: {
        ...bearer(admin),
        'tus-resumable': '1.0.0',
        'upload-length': '3000000',
        host: 'marquee.test',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('http://marquee.test/api/admin/uploads/up-1');

    const chunk = Buffer.alloc(3 * 1024 * 1024, 1);
    const patch = await gw.app.inject({
      method: 'PATCH',
      url: '/api/admin/uploads/up-1',
      headers: {
        ...bearer(admin),
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      payload: chunk,
    });
    expect(patch.statusCode).toBe(204);
    expect(patch.headers['upload-offset']).toBe(String(chunk.length));

    const head = await gw.app.inject({
      method: 'HEAD',
      url: '/api/admin/uploads/up-1',
      headers: bearer(admin),
    });
    expect(head.headers).toMatchObject({ 'upload-offset': '5', 'upload-length': '10' });

    const tooBig = await gw.app.inject({
      method: 'PATCH',
      url: '/api/admin/uploads/up-1',
      headers: { ...bearer(admin), 'content-type': 'application/offset+octet-stream' },
      payload: Buffer.alloc(4 * 1024 * 1024 + 1),
    });
    expect(tooBig.statusCode).toBe(413);
    const viewer = await gw.app.inject({ method: 'POST', url: '/api/admin/uploads', headers: bearer(token) });
    expect(viewer.statusCode).toBe(403);
  });
});

describe('browser security', () => {
  it('answers CORS preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      gw.app.inject({
        method: 'OPTIONS',
        url: '/api/titles',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const ok = await preflight('https://app.example');
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(ok.headers['access-control-allow-headers'])).toContain('authorization');
    const evil = await preflight('https://evil.example');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const get = await gw.app.inject({
      url: '/api/titles',
      headers: { ...bearer(token), origin: 'https://app.example' },
    });
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(get.headers['access-control-expose-headers'])).toContain('location');
  });

  it('sends security headers with a CSP that lets the player stream from the edges', async () => {
    const res = await gw.app.inject('/');
    const csp = String(res.headers['content-security-policy']);
    const directive = (name: string) =>
      csp
        .split(';')
        .find((d) => d.trim().startsWith(`${name} `))
        ?.trim() ?? '';
    for (const edge of edges) {
      const origin = new URL(edge.url).origin;
      expect(directive('media-src')).toContain(origin);
      expect(directive('connect-src')).toContain(origin);
      expect(directive('img-src')).toContain(origin);
    }
    expect(directive('media-src')).toContain('blob:');
    expect(directive('img-src')).toContain('data:');
    expect(directive('worker-src')).toContain('blob:');
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined(); // plain http here
  });

  it('gives JSON answers the lean API policy instead of the document one', async () => {
    const res = await gw.app.inject({ url: '/api/titles', headers: bearer(token) });
    expect(res.headers).toMatchObject({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    const problem = await gw.app.inject('/api/nothing-here');
    expect(problem.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('the web app', () => {
  it('compresses text assets as the browser asks (brotli, else gzip), keeping the bytes', async () => {
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
      ['gzip, br;q=0', 'gzip', gunzipSync],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const res = await gw.app.inject({
          url: '/assets/big-9c1e.js',
          headers: { 'accept-encoding': accept },
        });
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(res.headers['vary']).toContain('accept-encoding');
        expect(res.rawPayload.length).toBeLessThan(BIG_SCRIPT.length / 4);
        expect(decode(res.rawPayload).toString()).toBe(BIG_SCRIPT);
      }
    }
    const plain = await gw.app.inject('/assets/big-9c1e.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_SCRIPT);
    const tiny = await gw.app.inject({ url: '/assets/app-3f2a9c.js', headers: { 'accept-encoding': 'br' } });
    expect(tiny.headers['content-encoding']).toBeUndefined(); // too small to be worth it
  });

  it('serves files, long-caches hashed assets and falls back to index.html for app routes', async () => {
    const index = await gw.app.inject('/');
    expect(index.body).toContain('Marquee app');
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = await gw.app.inject('/assets/app-3f2a9c.js');
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await gw.app.inject('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    const route = await gw.app.inject('/browse/title/t-9?from=home');
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain('Marquee app');
    expect((await gw.app.inject('/missing.png')).statusCode).toBe(404);
  });

  it('says the web app is not built when there is no build', async () => {
    const bare = await startGateway({}, { webDir: join(webDir, 'nope') });
    try {
      const res = await bare.app.inject('/');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('not built');
    } finally {
      await bare.close();
    }
  });
});

describe('access logs', () => {
  it('log each request with its id and never a token', async () => {
    await gw.app.inject({
      url: '/api/titles?token=s3cr3t-media&q=x',
      headers: { ...bearer(token), 'x-request-id': 'log-me-1' },
    });
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.correlationId === 'log-me-1' || l.reqId === 'log-me-1');
    expect(line).toMatchObject({ msg: 'request', status: 200, url: '/api/titles?token=[redacted]&q=x' });
    expect(logLines.join('\n')).not.toContain('s3cr3t-media');
    expect(logLines.join('\n')).not.toContain(token);
  });
});
