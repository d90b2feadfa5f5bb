import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startFakeUsers,
  startGateway,
  startUpstream,
  type FakeUsers,
  type TestGateway,
  type TestUpstream,
} from './harness.js';

// The attack of issue 20 item 1: `Expect: 100-continue` handed to undici threw "expect header not supported"
// and left that pooled connection busy for good; ~44 such requests wedged every later call to the upstream.

let users: FakeUsers;
let streaming: TestUpstream;
let storage: TestUpstream;
let admin: string;
let gw: TestGateway;
let base: string;
let token: string;

beforeAll(async () => {
  users = await startFakeUsers();
  token = await users.token({ sub: 'acc-1' });
  admin = await users.token({ sub: 'acc-admin', role: 'admin' });
  storage = await startUpstream('storage');
  streaming = await startUpstream('streaming');
  gw = await startGateway({ users: [users.url], streaming: [streaming.url], storage: [storage.url] });
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(gw.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await gw.close();
  await streaming.close();
  await storage.close();
  await users.close();
});

interface Answer {
  status: number;
  body: string;
}

/** One request over a fresh connection, with `Expect: 100-continue`; a body is sent once 100 arrives. */
function send(
  method: string,
  path: string,
  body?: Buffer,
  { expectContinue = true, bearer = token as string | undefined } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method,
      agent: false,
      headers: {
        ...(expectContinue ? { expect: '100-continue' } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {}),
      },
    });
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)), 15_000);
    req.once('continue', () => req.end(body));
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
      });
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (!body || !expectContinue) req.end(body);
  });
}

describe('Expect: 100-continue at the gateway', () => {
  it('70 unauthenticated requests with the header do not wedge the upstream pool: the next call answers within 2 s', async () => {
    const answers = await Promise.all(
      Array.from({ length: 70 }, () => send('GET', '/api/titles').catch((err: Error) => err)),
    );
    for (const a of answers) expect(a).toMatchObject({ status: 200 });
    const started = Date.now();
    const after = await send('GET', '/api/titles', undefined, { expectContinue: false });
    expect(after.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(JSON.parse(after.body)).toMatchObject({ service: 'streaming' });
  });

  it('with no account at all (public routes of users), 70 do not stop the next login-path call', async () => {
    const refresh = (expectContinue: boolean) =>
      send('POST', '/api/auth/refresh', Buffer.from('{}'), { expectContinue, bearer: undefined });
    const answers = await Promise.all(Array.from({ length: 70 }, () => refresh(true).catch((e: Error) => e)));
    for (const a of answers) expect(a).toMatchObject({ status: 200 });
    const started = Date.now();
    expect((await refresh(false)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an upload chunk sent the way curl sends bodies over 1 MiB (after 100 Continue) reaches storage whole', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 7);
    const answer = await send('PATCH', '/api/admin/uploads/u-1', body, { bearer: admin });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ bodyLength: body.length });
    const seen = storage.seen.at(-1)!;
    expect(seen.headers['expect']).toBeUndefined();
  });

  it('does not open the breaker: five in a row, then an ordinary call still succeeds', async () => {
    for (let i = 0; i < 5; i++) expect((await send('GET', '/api/titles')).status).toBe(200);
    expect((await send('GET', '/api/titles', undefined, { expectContinue: false })).status).toBe(200);
  });
});
