import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpOrigin } from '../src/origin/http-origin.js';
import { startOriginFixture } from './origin-fixture.js';

const secret = 'http-origin-test-secret-0123456789';
const KEY = 'assets/a1/v720/seg_00001.m4s';
const BYTES = Buffer.alloc(200_000, 7);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fixture() {
  const origin = await startOriginFixture(secret);
  origin.put(KEY, BYTES, 'video/iso.segment');
  cleanups.push(() => origin.stop());
  return origin;
}

/** A storage instance that answers every request the way `answer` does. */
async function misbehaving(answer: (res: ServerResponse) => void) {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

/** An address nothing listens on any more: connections to it are refused. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function origin(baseUrls: string[]) {
  const o = new HttpOrigin({ baseUrls, secret, timeoutMs: 2_000 });
  cleanups.push(() => o.close());
  return o;
}

describe("the edge's origin client (core service client)", () => {
  it('fetches an object with its ETag and type, and says undefined for one storage does not hold', async () => {
    const good = await fixture();
    const o = origin([good.url]);
    const object = await o.fetch(KEY);
    expect(object?.body.equals(BYTES)).toBe(true);
    expect(object?.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(object?.contentType).toBe('video/iso.segment');
    expect(await o.fetch('assets/a1/v720/missing.m4s')).toBeUndefined();
  });

  it('asks another instance when one refuses connections, answers 500 or cuts the body short', async () => {
    const good = await fixture();
    const failing = await misbehaving((res) => res.writeHead(500).end('{}'));
    const cut = await misbehaving((res) => {
      res.writeHead(200, { 'content-length': BYTES.length });
      res.write(BYTES.subarray(0, 1000));
      setTimeout(() => res.destroy(), 20);
    });
    for (const bad of [failing, cut]) {
      const o = origin([bad.url, good.url]);
      for (let i = 0; i < 4; i++) expect((await o.fetch(KEY))?.body.equals(BYTES)).toBe(true);
      expect(bad.requests()).toBeGreaterThan(0);
    }
    const o = origin([await refusedUrl(), good.url]);
    for (let i = 0; i < 4; i++) expect((await o.fetch(KEY))?.body.equals(BYTES)).toBe(true);
  });

  it('takes good bytes from another instance when one sends bytes that fail their ETag, and refuses them when all do', async () => {
    const rotten = await fixture();
    rotten.rot(KEY);
    const good = await fixture();
    expect((await origin([rotten.url, good.url]).fetch(KEY))?.body.equals(BYTES)).toBe(true);
    await expect(origin([rotten.url]).fetch(KEY)).rejects.toMatchObject({ code: 'edge.origin_invalid' });
  });

  it('says origin_unavailable when no instance answers, and origin_invalid for an object over the bound', async () => {
    await expect(origin([await refusedUrl()]).fetch(KEY)).rejects.toMatchObject({
      code: 'edge.origin_unavailable',
    });
    const good = await fixture();
    const small = new HttpOrigin({ baseUrls: [good.url], secret, maxObjectBytes: 1_000 });
    cleanups.push(() => small.close());
    await expect(small.fetch(KEY)).rejects.toMatchObject({ code: 'edge.origin_invalid' });
  });
});
