import type { InjectOptions } from 'fastify';
import { identityHeaders, SERVICE_TOKEN_HEADER, serviceToken, type Identity } from '@marquee/core';
import { type CloudEvent } from '@marquee/platform';
import {
  createTestContext,
  openTestCache,
  openTestDatabase,
  type TestContext,
} from '@marquee/platform/testing';
import { buildStreaming, type StreamingOptions } from '../src/index.js';
import { startUsersFixture } from './users-fixture.js';

export type Backend = 'embedded' | 'postgres';

export const EDGE_URLS = ['http://127.0.0.1:19001', 'http://127.0.0.1:19002'];

/**
 * A streaming service on a real test context (SQLite or PostgreSQL, in-process cache or Redis, the
 * embedded event log), with users stood in for by a loopback fixture. Requests go through inject with
 * the service token and, for `as(identity)`, the identity headers the gateway would add.
 */
export async function startStreaming(
  backend: Backend,
  options: StreamingOptions = {},
  /** postgres only: a primary and its read replica (testing/postgres-replica) instead of one server. */
  databaseServers?: { url: string; readUrl: string },
  /** Settings beside the defaults (AUTH_REQUIRE_EMAIL_VERIFICATION, say). */
  settings?: Record<string, string>,
) {
  const users = await startUsersFixture();
  const ctx: TestContext = await createTestContext({
    urls: { users: [users.url], edge: EDGE_URLS },
    ...(settings ? { settings } : {}),
  });
  const cleanups: (() => Promise<void>)[] = [];
  if (backend === 'postgres') {
    const cache = await openTestCache('redis');
    ctx.cache = cache;
    cleanups.push(() => cache.close());
    ctx.openDb = async <DB>() => {
      const db = await openTestDatabase<DB>('postgres', { service: 'streaming', servers: databaseServers });
      cleanups.push(() => db.close());
      return db;
    };
  }
  const service = await buildStreaming(ctx, options);
  await service.start();

  const published: CloudEvent[] = [];
  const watcher = await ctx.bus.subscribe({
    group: 'test-watcher',
    types: ['title.published', 'playback.started', 'playback.heartbeat', 'playback.stopped'],
    handler: async ({ event }) => void published.push(event),
  });

  const inject = (identity: Identity | undefined, options: InjectOptions) =>
    service.app.inject({
      ...options,
      headers: {
        [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret),
        ...(identity ? identityHeaders(identity) : {}),
        ...(options.headers ?? {}),
      },
    });

  return {
    ctx,
    service,
    users,
    published,
    /** A call as a signed-in viewer or admin (identity forwarded by the gateway). */
    as: (identity: Identity) => (options: InjectOptions) => inject(identity, options),
    /** A call from another service, without a viewer. */
    internal: (options: InjectOptions) => inject(undefined, options),
    async close() {
      await watcher.stop();
      await service.app.close();
      await service.stop();
      for (const cleanup of cleanups.reverse()) await cleanup();
      await users.close();
      await ctx.cleanup();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startStreaming>>;

export const admin: Identity = { accountId: 'admin-1', role: 'admin', plan: 'premium' };

/** Polls until `check` passes (event consumers run in the background). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() - started > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

export const LADDER = [1080, 720, 360].map((height) => ({
  height,
  width: Math.round((height * 16) / 9),
  bandwidth: height * 4_000,
  codecs: 'avc1.640028,mp4a.40.2',
}));

/** Creates a title and takes it through upload and encoding to ready, as storage and the encoder would. */
export async function readyTitle(
  h: Harness,
  body: { type?: 'movie'; name: string; maturity?: string; genres?: string[]; synopsis?: string },
): Promise<{ titleId: string; assetId: string }> {
  const created = await h.as(admin)({
    method: 'POST',
    url: '/api/admin/titles',
    payload: { type: 'movie', year: 2024, maturity: 'PG', ...body },
  });
  const { titleId } = created.json<{ titleId: string }>();
  const assetId = await encodeAsset(h, titleId);
  return { titleId, assetId };
}

export async function encodeAsset(h: Harness, titleId: string): Promise<string> {
  const registered = await h.internal({
    method: 'POST',
    url: `/internal/titles/${titleId}/assets`,
    payload: { uploadId: `up-${titleId}`, filename: 'source.mp4' },
  });
  const { assetId } = registered.json<{ assetId: string }>();
  await h.ctx.bus.publish({
    type: 'media.encoded',
    source: 'encoder',
    data: {
      assetId,
      titleId,
      renditions: LADDER,
      durationSeconds: 60,
      posterKey: `assets/${assetId}/poster.jpg`,
    },
  });
  await eventually(async () => {
    const res = await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${titleId}` });
    if (res.json<{ asset: { state: string } }>().asset.state !== 'ready') throw new Error('not ready yet');
  });
  return assetId;
}
