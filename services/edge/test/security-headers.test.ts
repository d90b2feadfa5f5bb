import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

const NOSNIFF = 'nosniff';
const POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** Sends raw bytes and returns the raw answer (until the edge closes the connection). */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('edge security headers', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'a1');
    // A subtitle file is text a browser could take for HTML.
    e.origin.put(
      'assets/a1/subs/en.vtt',
      'WEBVTT\n\n00:00.000 --> 00:01.000\n<script>alert(1)</script>\n',
      'text/vtt',
    );
  });
  afterAll(() => e?.close());

  it('sends nosniff and a deny-all, sandboxing CSP on every answer: lean, Node, Fastify and parser errors', async () => {
    const token = e.token({ asset: 'a1', maxHeight: 720 });
    const media = (file: string) => `${e.url}/t/${token}/a/a1/${file}`;
    const answers: [string, Awaited<ReturnType<typeof request>>][] = [];
    const ask = async (what: string, url: string, init: Parameters<typeof request>[1] = {}) => {
      const res = await request(url, init);
      await res.body.dump();
      answers.push([what, res]);
      return res;
    };
    expect((await ask('master', media('master.m3u8'))).statusCode).toBe(200);
    expect((await ask('subtitle, filled', media('subs/en.vtt'))).headers['x-cache']).toBe('MISS');
    expect((await ask('subtitle, RAM hit', media('subs/en.vtt'))).headers['x-cache']).toBe('HIT-RAM');
    expect((await ask('HEAD', media('subs/en.vtt'), { method: 'HEAD' })).statusCode).toBe(200);
    const range = { headers: { range: 'bytes=0-9' } };
    expect((await ask('range', media('v360/seg_00001.m4s'), range)).statusCode).toBe(206);
    expect((await ask('refused', media('v1080/seg_00001.m4s'))).statusCode).toBe(403);
    expect((await ask('missing', media('subs/missing.vtt'))).statusCode).toBe(404);
    expect((await ask('bad token', `${e.url}/t/x.y/a/a1/master.m3u8`)).statusCode).toBe(403);
    expect((await ask('preflight', media('master.m3u8'), { method: 'OPTIONS' })).statusCode).toBe(204);
    expect((await ask('metrics', `${e.url}/metrics`)).statusCode).toBe(200);
    expect((await ask('readiness', `${e.url}/readyz`)).statusCode).toBe(200);
    expect((await ask('unknown route', `${e.url}/nope`)).statusCode).toBe(404);
    for (const [what, res] of answers) {
      expect(res.headers['x-content-type-options'], what).toBe(NOSNIFF);
      expect(res.headers['content-security-policy'], what).toBe(POLICY);
    }

    // Heads Node's parser rejects: the same status Node would send, with the headers too.
    for (const [head, status] of [
      [`GET /t/${token}/a/a1/master.m3u8 HTTP/1.1\r\nHost: edge\r\nBad Header\r\n\r\n`, 400],
      [
        `GET /t/${token}/a/a1/master.m3u8 HTTP/1.1\r\nHost: edge\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
      ],
    ] as const) {
      const answer = await raw(e.url, head);
      expect(answer.startsWith(`HTTP/1.1 ${status} `), answer).toBe(true);
      expect(answer.toLowerCase()).toContain(`x-content-type-options: ${NOSNIFF}`);
      expect(answer.toLowerCase()).toContain(`content-security-policy: ${POLICY}`);
    }
  });
});
