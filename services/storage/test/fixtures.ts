import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import * as tus from 'tus-js-client';
import { identityHeaders, serviceToken, SERVICE_TOKEN_HEADER } from '@marquee/core';
import { openBlobStore, type DeliveredEvent } from '@marquee/platform';
import {
  backendAvailable,
  createTestContext,
  startS3rver,
  type TestContext,
} from '@marquee/platform/testing';
import { buildStorage } from '../src/index.js';

/*
 * What the storage tests share: the secret their contexts are created with, the headers the gateway
 * would forward for an admin, the blob stores staging runs on (and the backends behind each), and a
 * tus client that uploads as that admin.
 */

/** The service secret every storage test context is created with, so `adminHeaders`' token verifies. */
export const SECRET = 'storage-test-secret-0123456789abcdef0123';

/** An admin's request as the gateway forwards it: a service token and the caller's identity. */
export const adminHeaders = {
  [SERVICE_TOKEN_HEADER]: serviceToken(SECRET),
  ...identityHeaders({ accountId: 'admin1', role: 'admin', plan: 'premium' }),
};

/** The blob stores staging runs on: the filesystem always, S3 (s3rver) when BACKENDS lists it. */
export const stores = [
  { store: 'filesystem' as const, run: true },
  { store: 's3' as const, run: await backendAvailable('s3') },
];

/** What a test on one blob store runs against; storage instances are the test's own to build and stop. */
export interface StagingBackends {
  ctx: TestContext;
  /** What is staged, listed behind the code's back: the staging folder, or the bucket's staging/ prefix. */
  stagedObjects(): Promise<string[]>;
  /** Stops the streaming stand-in and s3rver and removes the context; after the storage instances stop. */
  close(): Promise<void>;
}

/**
 * A test context on `store` with a streaming stand-in that grants every asset (asset1, asset2, ...).
 * On S3 an s3rver's `bucket` holds both blobs and staging, as one bucket does in a deployment.
 */
export async function openStagingBackends(
  store: (typeof stores)[number]['store'],
  bucket: string,
): Promise<StagingBackends> {
  const streaming = Fastify();
  let n = 0;
  streaming.post('/internal/titles/:titleId/assets', async (_req, reply) =>
    reply.status(201).send({ assetId: `asset${++n}` }),
  );
  const streamingUrl = await streaming.listen({ port: 0, host: '127.0.0.1' });
  const s3 = store === 's3' ? await startS3rver() : undefined;
  const settings: Record<string, string> = s3
    ? {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: bucket,
        S3_REGION: s3.credentials.region,
        S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      }
    : {};
  const client =
    s3 && new S3Client({ endpoint: s3.endpoint, ...s3.credentials, credentials: s3.credentials });
  const ctx = await createTestContext({ urls: { streaming: [streamingUrl] }, secret: SECRET, settings });
  if (s3) {
    // The settings point staging at the bucket; the blob store is reopened on it too (and creates it).
    await ctx.blobs.close();
    ctx.blobs = await openBlobStore({ s3: { endpoint: s3.endpoint, ...s3.credentials, bucket } });
  }
  return {
    ctx,
    async stagedObjects() {
      if (!client) return readdir(join(ctx.dataDir, 'uploads', 'staging'));
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'staging/' }));
      return (page.Contents ?? []).map((o) => o.Key ?? '');
    },
    async close() {
      await streaming.close();
      await ctx.cleanup();
      client?.destroy();
      await s3?.stop();
    },
  };
}

/** A storage service on a free port, for tests of its HTTP API; `stop` ends it and its stand-in. */
export interface RunningStorage {
  ctx: TestContext;
  base: string;
  stop(): Promise<void>;
}

/**
 * Storage on a test context whose streaming stand-in (real HTTP, as the internal catalog API answers)
 * grants every asset (asset1, asset2, ...) and knows every title but `missing`. The events of
 * `observe.types` are collected into `observe.into` as they are delivered.
 */
export async function startStorage(observe: {
  group: string;
  types: readonly string[];
  into: DeliveredEvent[];
}): Promise<RunningStorage> {
  const streaming = Fastify();
  let n = 0;
  streaming.post('/internal/titles/:titleId/assets', async (req, reply) =>
    (req.params as { titleId: string }).titleId === 'missing'
      ? reply.status(404).send({})
      : reply.status(201).send({ assetId: `asset${++n}` }),
  );
  streaming.get('/internal/titles/:titleId', async (req, reply) =>
    (req.params as { titleId: string }).titleId === 'missing' ? reply.status(404).send({}) : { titleId: 'x' },
  );
  const streamingUrl = await streaming.listen({ port: 0, host: '127.0.0.1' });
  const ctx = await createTestContext({ urls: { streaming: [streamingUrl] }, secret: SECRET });
  const storage = await buildStorage(ctx);
  const base = await storage.app.listen({ port: 0, host: '127.0.0.1' });
  await storage.start();
  await ctx.bus.subscribe({
    group: observe.group,
    types: observe.types,
    handler: async (d) => void observe.into.push(d),
  });
  return {
    ctx,
    base,
    async stop() {
      await storage.app.close();
      await storage.stop();
      await streaming.close();
      await ctx.cleanup();
    },
  };
}

/** The upload every test makes unless told otherwise: a film for title t1, as an admin, never retried. */
function uploadOptions(base: string): tus.UploadOptions {
  return {
    endpoint: `${base}/api/admin/uploads`,
    headers: adminHeaders,
    metadata: { titleId: 't1', filename: 'film.mp4' },
    retryDelays: [],
  };
}

/**
 * Uploads `data` in one go to the storage service at `base` (or resumes it, given `uploadUrl`);
 * resolves the finished upload once the client has its answer. `options` override the defaults.
 */
export function tusUpload(
  base: string,
  data: Buffer,
  options: Partial<tus.UploadOptions> = {},
): Promise<tus.Upload> {
  return new Promise((resolve, reject) => {
    const u: tus.Upload = new tus.Upload(data, {
      ...uploadOptions(base),
      ...options,
      onSuccess: () => resolve(u),
      onError: reject,
    });
    u.start();
  });
}

/** Sends the first half of `data` and stops, as a client that goes away does; resolves its URL. */
export function tusUploadHalf(base: string, data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const first: tus.Upload = new tus.Upload(data, {
      ...uploadOptions(base),
      chunkSize: Math.ceil(data.length / 2),
      onChunkComplete: () => void first.abort().then(() => resolve(first.url!)),
      onError: reject,
    });
    first.start();
  });
}

/** The upload id a tus upload URL ends in. */
export const uploadIdOfUrl = (url: string): string => new URL(url).pathname.split('/').pop()!;
