import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf, putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

/** 4 MiB, more than a socket takes at once, with a pattern that shows misplaced bytes. */
const BIG = Buffer.alloc(4 * 1024 * 1024, 'marquee-lean-0123456789');

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A client on one TCP connection that writes raw bytes and reads responses off the wire in order. */
class RawClient {
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  ended = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(url: string): Promise<RawClient> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next response; `head` when it answers a HEAD (no body follows its Content-Length). */
  async response(head = false): Promise<RawResponse> {
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.received.toString('latin1', 0, end).split('\r\n');
        const status = Number(lines[0]!.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = head || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
        if (this.received.length >= end + 4 + length) {
          const body = Buffer.from(this.received.subarray(end + 4, end + 4 + length));
          this.received = this.received.subarray(end + 4 + length);
          return { status, headers, body };
        }
      }
      if (this.ended) throw new Error('connection ended before a whole response');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** Node's server would have said Keep-Alive; the lean responder leaves keep-alive implied. */
const expectLean = (response: RawResponse) => {
  expect(response.headers['keep-alive']).toBeUndefined();
  expect(response.headers['x-request-id']).toBeUndefined();
};

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: edge\r\n${extra}\r\n`;

describe('the edge’s lean responder', () => {
  let e: Edge;
  let token: string;
  const path = (file: string) => `/t/${token}/a/asset-1/${file}`;
  const key = (file: string) => `assets/asset-1/${file}`;
  const clients: RawClient[] = [];
  const open = async () => {
    const client = await RawClient.open(e.url);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'asset-1');
    putAsset(e.origin, 'big', 1024);
    e.origin.put('assets/big/v1080/seg_00001.m4s', BIG, 'video/iso.segment');
    token = e.token({ asset: 'asset-1' });
  });
  afterAll(async () => {
    for (const client of clients) client.socket.destroy();
    await e?.close();
  });

  it('answers media requests itself on a kept-alive connection, misses and hits alike', async () => {
    const client = await open();
    client.send(get(path('v360/seg_00001.m4s')));
    const miss = await client.response();
    client.send(get(path('v360/seg_00001.m4s')));
    const hit = await client.response();
    for (const response of [miss, hit]) {
      expect(response.status).toBe(200);
      expect(response.body.equals(bytesOf(key('v360/seg_00001.m4s')))).toBe(true);
      expect(response.headers['content-length']).toBe(String(64 * 1024));
      expect(response.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
      expect(response.headers.date).toMatch(/GMT$/);
      expectLean(response);
    }
    expect([miss.headers['x-cache'], hit.headers['x-cache']]).toEqual(['MISS', 'HIT-RAM']);
  });

  it('answers pipelined requests in order, HEAD without a body, ranges and refusals too', async () => {
    const client = await open();
    client.send(
      get(path('v360/seg_00002.m4s')) +
        `HEAD ${path('v360/seg_00002.m4s')} HTTP/1.1\r\nHost: edge\r\n\r\n` +
        get(path('v360/seg_00002.m4s'), 'Range: bytes=10-19\r\n') +
        get(`/t/forged.token/a/asset-1/v360/seg_00002.m4s`) +
        get(path('v360/seg_00003.m4s')),
    );
    const full = await client.response();
    const head = await client.response(true);
    const ranged = await client.response();
    const refused = await client.response();
    const next = await client.response();
    expect(full.body.equals(bytesOf(key('v360/seg_00002.m4s')))).toBe(true);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(64 * 1024));
    expect(ranged.status).toBe(206);
    expect(ranged.body.equals(full.body.subarray(10, 20))).toBe(true);
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.parse(refused.body.toString()).type).toMatch(/media\.token_invalid$/);
    expect(next.body.equals(bytesOf(key('v360/seg_00003.m4s')))).toBe(true);
    for (const response of [full, head, ranged, refused, next]) expectLean(response);
  });

  it('waits for a head that arrives a few bytes at a time', async () => {
    const client = await open();
    const request = Buffer.from(get(path('v360/seg_00001.m4s')));
    for (let i = 0; i < request.length; i += 7) {
      client.send(request.subarray(i, i + 7));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const response = await client.response();
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(64 * 1024);
    expectLean(response);
  });

  it('hands the connection to Node at the first request it does not serve, bytes and order kept', async () => {
    const client = await open();
    client.send(get(path('v360/seg_00001.m4s')) + get('/readyz') + get(path('v360/seg_00002.m4s')));
    const media = await client.response();
    const ready = await client.response();
    const after = await client.response();
    expectLean(media);
    expect(ready.status).toBe(200);
    // Fastify answered: its hooks add the request id.
    expect(ready.headers['x-request-id']).toBeDefined();
    // From then on Node's server has the connection (its media fast path still answers media).
    expect(after.status).toBe(200);
    expect(after.headers['keep-alive']).toBeDefined();
    expect(after.body.equals(bytesOf(key('v360/seg_00002.m4s')))).toBe(true);
  });

  it('leaves malformed, oversized, HTTP/1.0 and body-carrying requests to Node', async () => {
    const malformed = await open();
    malformed.send(`GET ${path('v360/seg_00001.m4s')} HTTP/1.1\r\nHost: edge\r\nBad Header\r\n\r\n`);
    expect((await malformed.response()).status).toBe(400);

    const oversized = await open();
    oversized.send(get(path('v360/seg_00001.m4s'), `X-Filler: ${'a'.repeat(20_000)}\r\n`));
    expect((await oversized.response()).status).toBe(431);

    const old = await open();
    old.send(`GET ${path('v360/seg_00001.m4s')} HTTP/1.0\r\nHost: edge\r\n\r\n`);
    const answered = await old.response();
    expect(answered.status).toBe(200);
    expect(answered.headers['keep-alive']).toBeUndefined();
    expect(answered.body.length).toBe(64 * 1024);

    const withBody = await open();
    withBody.send(get(path('v360/seg_00001.m4s'), 'Content-Length: 2\r\n') + 'hi');
    const bodied = await withBody.response();
    expect(bodied.status).toBe(200);
    expect(bodied.headers['x-request-id']).toBeUndefined();
    expect(bodied.headers['keep-alive']).toBeDefined();

    const noHost = await open();
    noHost.send(`GET ${path('v360/seg_00001.m4s')} HTTP/1.1\r\n\r\n`);
    expect((await noHost.response()).status).toBe(400);
  });

  it('closes after the response when asked to', async () => {
    const client = await open();
    client.send(get(path('v360/seg_00001.m4s'), 'Connection: close\r\n'));
    const response = await client.response();
    expect(response.status).toBe(200);
    expect(response.headers.connection).toBe('close');
    expectLean(response);
    await client.closed();
  });

  it('answers everything a client sent before it half-closed, then closes', async () => {
    const client = await open();
    // A miss (answered later, from the origin) then a hit, and the client's side ends at once.
    client.send(get(path('v360/seg_00004.m4s')) + get(path('v360/seg_00001.m4s')));
    client.socket.end();
    const miss = await client.response();
    const hit = await client.response();
    expect(miss.body.equals(bytesOf(key('v360/seg_00004.m4s')))).toBe(true);
    expect(hit.body.equals(bytesOf(key('v360/seg_00001.m4s')))).toBe(true);
    await client.closed();
  });

  it('delivers large pipelined answers whole to a client that reads late (write backpressure)', async () => {
    const big = e.token({ asset: 'big' });
    const url = `/t/${big}/a/big/v1080/seg_00001.m4s`;
    const client = await open();
    client.socket.pause();
    client.send(get(url) + get(url) + get(url) + get(url));
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.socket.resume();
    const expected = BIG;
    for (let i = 0; i < 4; i++) {
      const response = await client.response();
      expect(response.status).toBe(200);
      expect(response.body.equals(expected), `response ${i}`).toBe(true);
      expectLean(response);
    }
  });

  it('does not let an idle kept-alive connection hold up shutdown', async () => {
    const own = await startEdge();
    putAsset(own.origin, 'asset-1');
    const client = await RawClient.open(own.url);
    const ownToken = own.token({ asset: 'asset-1' });
    client.send(get(`/t/${ownToken}/a/asset-1/v360/seg_00001.m4s`));
    const response = await client.response();
    expect(response.status).toBe(200);
    expectLean(response);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.closed();
  });
});
