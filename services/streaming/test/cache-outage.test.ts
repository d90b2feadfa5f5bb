import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHeaders, SERVICE_TOKEN_HEADER, serviceToken, type Identity } from '@marquee/core';
import { openCache } from '@marquee/platform';
import {
  createTestContext,
  startRedisServer,
  type RunningRedisServer,
  type TestContext,
} from '@marquee/platform/testing';
import type { InjectOptions } from 'fastify';
import { buildStreaming } from '../src/index.js';
import { EDGE_URLS, readyTitle, type Harness } from './harness.js';
import { startUsersFixture } from './users-fixture.js';

/**
 * Streaming with its Redis down, against a private redis-server of this test's own (never the
 * machine's), SIGKILLed and started again on the same port. The decision (docs/operations.md): a
 * playback start, heartbeat or stop needs the account's stream lease and fails closed, but as an
 * outage — 503 problem+json with Retry-After — and the same calls succeed once Redis is back.
 */

let redis: RunningRedisServer;
let ctx: TestContext;
let users: Awaited<ReturnType<typeof startUsersFixture>>;
let service: Awaited<ReturnType<typeof buildStreaming>>;
let titleId: string;

const viewer: Identity = { accountId: 'acc-1', role: 'viewer', plan: 'premium' };
const call = (identity: Identity | undefined, options: InjectOptions) =>
  service.app.inject({
    ...options,
    headers: {
      [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret),
      ...(identity ? identityHeaders(identity) : {}),
    },
  });
const start = () =>
  call(viewer, { method: 'POST', url: '/api/playback', payload: { profileId: 'p-1', titleId } });

beforeAll(async () => {
  redis = await startRedisServer();
  users = await startUsersFixture();
  ctx = await createTestContext({ urls: { users: [users.url], edge: EDGE_URLS } });
  await ctx.cache.close();
  ctx.cache = await openCache({ url: redis.url, prefix: 'streaming-down:' });
  service = await buildStreaming(ctx);
  await service.start();
  const h = {
    ctx,
    as: (who: Identity) => (o: InjectOptions) => call(who, o),
    internal: (o: InjectOptions) => call(undefined, o),
  };
  ({ titleId } = await readyTitle(h as unknown as Harness, { name: 'Outage', maturity: 'PG' }));
  users.profiles.set('p-1', { accountId: 'acc-1', kids: false, maxMaturity: 'NC-17' });
}, 60_000);
afterAll(async () => {
  await service?.app.close();
  await service?.stop();
  await ctx?.cleanup();
  await users?.close();
  await redis?.stop();
});

describe('streaming with Redis down', () => {
  it('refuses lease calls with 503 and Retry-After, and serves again once Redis is back', async () => {
    const before = await start();
    expect(before.statusCode).toBe(201);
    const { sessionId } = before.json<{ sessionId: string }>();

    await redis.kill();
    for (const res of [
      await start(),
      await call(viewer, {
        method: 'POST',
        url: `/api/playback/${sessionId}/heartbeat`,
        payload: { position: 12 },
      }),
      await call(viewer, { method: 'DELETE', url: `/api/playback/${sessionId}` }),
    ]) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ type: 'urn:marquee:problem:cache.unavailable', status: 503 });
      expect(res.body).not.toContain('127.0.0.1'); // no endpoint reaches a client
    }

    await redis.restart();
    let after = await start();
    for (let i = 0; after.statusCode !== 201 && i < 100; i++) {
      await sleep(100);
      after = await start();
    }
    expect(after.statusCode).toBe(201);
  }, 60_000);
});
