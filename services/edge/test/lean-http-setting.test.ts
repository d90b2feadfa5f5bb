import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '@marquee/platform/testing';
import { edgeSettings } from '../src/settings.js';
import { bytesOf, putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

interface WireAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * EDGE_LEAN_HTTP (issue 21 §5): off, every connection is Node's HTTP server's, and it must answer a
 * player's requests as the lean responder does — status, headers, bodies, problem+json. Each case runs
 * against an edge in each mode over real sockets; then the two modes' answers are compared whole.
 * (The edge answers every token refusal 403, never 401: there is no 401 to compare.)
 */
const MODES = [
  { name: 'lean responder (EDGE_LEAN_HTTP=true, the default)', lean: true },
  { name: 'Node’s server alone (EDGE_LEAN_HTTP=false)', lean: false },
] as const;

/** Answers per mode, by case name, for the comparison at the end. */
const answers = new Map<boolean, Map<string, WireAnswer>>(MODES.map((m) => [m.lean, new Map()]));

/** Headers that name the server rather than the answer: the date, and Node's keep-alive announcement. */
const CONNECTION_HEADERS = new Set(['date', 'keep-alive', 'connection']);

const SEGMENT = 'assets/asset-1/v360/seg_00001.m4s';
/** One token expiry for both edges (same secret): the same token, so the same master playlist bytes. */
const EXP = Math.floor(Date.now() / 1000) + 600;

describe.each(MODES)('media answers through $name', ({ lean }) => {
  let e: Edge;
  let token: string;
  const path = (file: string, t = token) => `/t/${t}/a/asset-1/${file}`;
  const get = async (name: string, url: string, init: { method?: 'GET' | 'HEAD'; headers?: object } = {}) => {
    const res = await request(`${e.url}${url}`, {
      method: init.method ?? 'GET',
      headers: { ...init.headers },
    });
    const answer: WireAnswer = {
      status: res.statusCode,
      headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
      body: Buffer.from(await res.body.arrayBuffer()),
    };
    answers.get(lean)!.set(name, answer);
    return answer;
  };

  beforeAll(async () => {
    const ctx = await createTestContext({
      settings: { EDGE_LEAN_HTTP: String(lean) },
      fragments: [edgeSettings],
    });
    // A fixed identity: a session master names its edge, which would otherwise differ by port.
    e = await startEdge({ ctx, identity: { edgeId: 'edge-1', url: 'http://edge-1.test' } });
    putAsset(e.origin, 'asset-1');
    token = e.token({ asset: 'asset-1', maxHeight: 720, exp: EXP });
  });
  afterAll(() => e?.close());

  it('is answered by the lean responder exactly when the setting is on', async () => {
    const { status, headers } = await get('first segment (a miss)', path('v360/seg_00001.m4s'));
    expect(status).toBe(200);
    // Node's ServerResponse announces keep-alive; the lean responder leaves it implied (HTTP/1.1).
    if (lean) expect(headers['keep-alive']).toBeUndefined();
    else expect(headers['keep-alive']).toMatch(/^timeout=\d+$/);
    // Neither passes through Fastify's hooks: no request id on a media answer.
    expect(headers['x-request-id']).toBeUndefined();
  });

  it('serves segments with their length, ETag, caching, CORS and security headers', async () => {
    const hit = await get('segment again (a RAM hit)', path('v360/seg_00001.m4s'));
    expect(hit.status).toBe(200);
    expect(hit.body.equals(bytesOf(SEGMENT))).toBe(true);
    expect(hit.headers).toMatchObject({
      'content-type': 'video/iso.segment',
      'content-length': String(64 * 1024),
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      'access-control-allow-origin': '*',
      'x-content-type-options': 'nosniff',
      'x-cache': 'HIT-RAM',
    });
    expect(hit.headers['access-control-expose-headers']).toContain('content-range');
    expect(hit.headers['content-security-policy']).toContain("default-src 'none'");
    expect(hit.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);

    const master = await get('master', path('master.m3u8'));
    expect(master.status).toBe(200);
    expect(master.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(master.headers['cache-control']).toBe('private, no-store');
    expect(master.body.toString()).toContain('#EXT-X-STREAM-INF');

    const head = await get('HEAD of a segment', path('v360/seg_00001.m4s'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(64 * 1024));
    expect(head.body.length).toBe(0);
  });

  it('answers ranges 206/416 and a matching If-None-Match 304', async () => {
    const url = path('v360/seg_00001.m4s');
    const ranged = await get('range', url, { headers: { range: 'bytes=10-19' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 10-19/${64 * 1024}`);
    expect(ranged.body.equals(bytesOf(SEGMENT).subarray(10, 20))).toBe(true);
    const past = await get('range past the end', url, { headers: { range: `bytes=${64 * 1024}-` } });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${64 * 1024}`);
    const etag = answers.get(lean)!.get('segment again (a RAM hit)')!.headers.etag!;
    const notModified = await get('304', url, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(etag);
  });

  it('refuses with problem+json: 403 for tokens and renditions, 404 for what the origin lacks', async () => {
    const cases = [
      ['garbage token', path('v360/seg_00001.m4s', 'nonsense.token'), 403, 'media.token_invalid'],
      ['rendition above the token', path('v1080/seg_00001.m4s'), 403, 'media.rendition_forbidden'],
      ['missing object', path('nothing.jpg'), 404, 'not_found'],
    ] as const;
    for (const [name, url, status, code] of cases) {
      const refused = await get(name, url);
      expect(refused.status, name).toBe(status);
      expect(refused.headers['content-type'], name).toContain('application/problem+json');
      expect(refused.headers['access-control-allow-origin'], name).toBe('*');
      expect(JSON.parse(refused.body.toString()), name).toMatchObject({ code, status });
    }
  });
});

describe('the two modes', () => {
  it('gave the same answers: status, every header but the connection’s, and bytes', () => {
    const [lean, node] = [answers.get(true)!, answers.get(false)!];
    expect([...node.keys()]).toEqual([...lean.keys()]);
    const answerHeaders = (a: WireAnswer) =>
      Object.fromEntries(Object.entries(a.headers).filter(([name]) => !CONNECTION_HEADERS.has(name)));
    for (const [name, answer] of lean) {
      const other = node.get(name)!;
      expect(other.status, name).toBe(answer.status);
      expect(answerHeaders(other), name).toEqual(answerHeaders(answer));
      expect(other.body.equals(answer.body), name).toBe(true);
    }
  });
});
