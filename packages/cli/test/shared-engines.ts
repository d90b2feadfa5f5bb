import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openBlobStore, startS3rver, testUrls, uniqueName, type RunningS3rver } from '@marquee/platform';

/**
 * The distributed engines of one microservices test run, isolated from every other test on the same
 * servers: a database created for the run (each service makes its own schema in it), a Redis key
 * prefix, a NATS stream and subject prefix, and an s3rver with its own bucket. dispose() removes all
 * of it.
 */
export interface SharedEngines {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function openSharedEngines(): Promise<SharedEngines> {
  const name = uniqueName('ms').toLowerCase();
  const database = name;
  const admin = new pg.Client({ connectionString: testUrls.postgres });
  await admin.connect();
  let s3: RunningS3rver | undefined;
  try {
    await admin.query(`create database "${database}"`);
    s3 = await startS3rver();
    const bucket = name.replace(/_/g, '-');
    // Created once here so nine processes do not race to create it.
    const blobs = await openBlobStore({ s3: { endpoint: s3.endpoint, bucket, ...s3.credentials } });
    await blobs.close();
    const env = {
      DATABASE_URL: withDatabase(testUrls.postgres, database),
      REDIS_URL: testUrls.redis,
      REDIS_PREFIX: `${name}:`,
      NATS_URL: testUrls.nats,
      NATS_STREAM: name.toUpperCase(),
      NATS_SUBJECT_PREFIX: name,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: bucket,
      S3_REGION: s3.credentials.region,
      S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    };
    const running = s3;
    return {
      env,
      async dispose() {
        await Promise.allSettled([
          admin.query(`drop database if exists "${database}" with (force)`).finally(() => admin.end()),
          deleteRedisKeys(testUrls.redis, env.REDIS_PREFIX),
          deleteNatsStreams(testUrls.nats, [env.NATS_STREAM, `${env.NATS_STREAM}_DLQ`]),
          running.stop(),
        ]);
      },
    };
  } catch (err) {
    await admin.query(`drop database if exists "${database}" with (force)`).catch(() => undefined);
    await admin.end();
    await s3?.stop();
    throw err;
  }
}

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function deleteNatsStreams(url: string, streams: readonly string[]): Promise<void> {
  const nc = await connect({ servers: url, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}
