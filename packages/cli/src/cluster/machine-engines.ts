import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * One cluster run on engines someone else runs (the machine's PostgreSQL, Redis and NATS), isolated
 * from everything else on them: a database of its own (each service makes its schema in it), a Redis
 * key prefix, a NATS stream and subject prefix. dispose() removes all of it and stops nothing.
 */

export interface EngineUrls {
  postgres: string;
  redis: string;
  nats: string;
}

export interface IsolatedEngines {
  /** DATABASE_URL, REDIS_URL/REDIS_PREFIX, NATS_URL/NATS_STREAM/NATS_SUBJECT_PREFIX. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** `name` must be a lower-case identifier: it names the database, the key prefix and the stream. */
export async function isolateOnEngines(urls: EngineUrls, name: string): Promise<IsolatedEngines> {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`bad cluster name ${name}`);
  // A connection for each statement, none held over the run: engine-down stops the (private) server
  // under it, and a held client's 'error' event, unlistened, ended the whole rig.
  const onAdmin = async (statement: string) => {
    const admin = new pg.Client({ connectionString: urls.postgres });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  await onAdmin(`create database "${name}"`);
  const env = {
    DATABASE_URL: withDatabase(urls.postgres, name),
    REDIS_URL: urls.redis,
    REDIS_PREFIX: `${name}:`,
    NATS_URL: urls.nats,
    NATS_STREAM: name.toUpperCase(),
    NATS_SUBJECT_PREFIX: name,
  };
  return {
    env,
    async dispose() {
      await Promise.allSettled([
        onAdmin(`drop database if exists "${name}" with (force)`),
        deleteRedisKeys(urls.redis, env.REDIS_PREFIX),
        deleteNatsStreams(urls.nats, [env.NATS_STREAM, `${env.NATS_STREAM}_DLQ`]),
      ]);
    },
  };
}

/** Removes every key under `prefix` (a run's own keys on a shared Redis). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
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

/** Removes a run's own JetStream streams from a shared NATS. */
export async function deleteNatsStreams(url: string, streams: readonly string[]): Promise<void> {
  const nc = await connect({ servers: url, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}
