import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Ledger } from './viewers.js';

/**
 * After an experiment: is every write the API accepted in its owning store? Reads the stores directly
 * (users' schema in PostgreSQL, streaming's assets, the stream-lease sets in Redis, the dead-letter
 * stream in NATS), since an answer through the API could come from a cache. Events are asynchronous
 * (heartbeats reach users through playback.heartbeat), so the audit waits up to `settleMs` for them.
 */

export interface AuditTargets {
  /** DATABASE_URL of the cluster (every service's schema is in it). */
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  natsUrl: string;
  natsStream: string;
}

export interface AuditFinding {
  check: string;
  expected: number;
  found: number;
  lost: string[];
}

export interface AuditReport {
  ok: boolean;
  findings: AuditFinding[];
}

export interface UploadExpectation {
  titleId: string;
}

const LEASE_TTL_MS = 60_000;

export async function auditWrites(
  targets: AuditTargets,
  ledger: Ledger,
  uploads: readonly UploadExpectation[],
  settleMs = 30_000,
): Promise<AuditReport> {
  const db = new pg.Client({ connectionString: targets.databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + settleMs;
    let findings: AuditFinding[];
    // Poll until nothing is missing or the events had their time: a late event is not a lost one.
    for (;;) {
      findings = [
        await checkHeartbeats(db, ledger),
        await checkRatings(db, ledger),
        await checkMyList(db, ledger),
        await checkUploads(db, uploads),
      ];
      if (findings.every((f) => f.lost.length === 0) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    findings.push(await checkLeases(targets), await checkDeadLetters(targets));
    return { ok: findings.every((f) => f.lost.length === 0), findings };
  } finally {
    await db.end();
  }
}

const certain = (ledger: Ledger, kind: string) => (key: string) => !ledger.uncertain.has(`${kind}:${key}`);
const split = (key: string) => key.split('/') as [string, string];

async function checkHeartbeats(db: pg.Client, ledger: Ledger): Promise<AuditFinding> {
  const keys = [...ledger.heartbeats.keys()].filter(certain(ledger, 'heartbeats'));
  const { rows } = await db.query<{ profile_id: string; title_id: string; position: number }>(
    'select profile_id, title_id, position from users.viewing_history where profile_id = any($1)',
    [[...new Set(keys.map((k) => split(k)[0]))]],
  );
  const stored = new Map(rows.map((r) => [`${r.profile_id}/${r.title_id}`, Number(r.position)]));
  const lost = keys.filter((k) => (stored.get(k) ?? -1) !== ledger.heartbeats.get(k)!);
  return {
    check: 'heartbeats in users.viewing_history',
    expected: keys.length,
    found: keys.length - lost.length,
    lost: lost.map((k) => `${k}: accepted ${ledger.heartbeats.get(k)}, stored ${stored.get(k) ?? 'none'}`),
  };
}

async function checkRatings(db: pg.Client, ledger: Ledger): Promise<AuditFinding> {
  const keys = [...ledger.ratings.keys()].filter(certain(ledger, 'ratings'));
  const { rows } = await db.query<{ profile_id: string; title_id: string; rating: string }>(
    'select profile_id, title_id, rating from users.ratings where profile_id = any($1)',
    [[...new Set(keys.map((k) => split(k)[0]))]],
  );
  const stored = new Map(rows.map((r) => [`${r.profile_id}/${r.title_id}`, r.rating]));
  const lost = keys.filter((k) => stored.get(k) !== ledger.ratings.get(k));
  return {
    check: 'ratings in users.ratings',
    expected: keys.length,
    found: keys.length - lost.length,
    lost: lost.map((k) => `${k}: accepted ${ledger.ratings.get(k)}, stored ${stored.get(k) ?? 'none'}`),
  };
}

async function checkMyList(db: pg.Client, ledger: Ledger): Promise<AuditFinding> {
  const keys = [...ledger.myList.keys()].filter(certain(ledger, 'myList'));
  const { rows } = await db.query<{ profile_id: string; title_id: string }>(
    'select profile_id, title_id from users.my_list where profile_id = any($1)',
    [[...new Set(keys.map((k) => split(k)[0]))]],
  );
  const stored = new Set(rows.map((r) => `${r.profile_id}/${r.title_id}`));
  const lost = keys.filter((k) => stored.has(k) !== ledger.myList.get(k));
  return {
    check: 'My List changes in users.my_list',
    expected: keys.length,
    found: keys.length - lost.length,
    lost,
  };
}

/** Every upload accepted ends with exactly one asset, `ready`. */
async function checkUploads(db: pg.Client, uploads: readonly UploadExpectation[]): Promise<AuditFinding> {
  const ids = uploads.map((u) => u.titleId);
  const { rows } = await db.query<{ title_id: string; state: string }>(
    'select title_id, state from streaming.assets where title_id = any($1)',
    [ids],
  );
  const lost = ids.filter((id) => {
    const assets = rows.filter((r) => r.title_id === id);
    return assets.length !== 1 || assets[0]!.state !== 'ready';
  });
  return {
    check: 'uploads ready exactly once (streaming.assets)',
    expected: ids.length,
    found: ids.length - lost.length,
    lost,
  };
}

/** No stream lease reaches further than one TTL from now (a renewal loop gone wrong would). */
async function checkLeases(targets: AuditTargets): Promise<AuditFinding> {
  const redis = new Redis(targets.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    const [seconds, micros] = await redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const stuck: string[] = [];
    let leases = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${targets.redisPrefix}streaming:streams:*`,
        'COUNT',
        500,
      );
      for (const key of keys) {
        const members = await redis.zrange(key, 0, -1, 'WITHSCORES');
        for (let i = 0; i < members.length; i += 2) {
          leases += 1;
          if (Number(members[i + 1]) > now + LEASE_TTL_MS + 1_000) stuck.push(`${key} ${members[i]}`);
        }
      }
      cursor = next;
    } while (cursor !== '0');
    return {
      check: 'stream leases within their TTL',
      expected: leases,
      found: leases - stuck.length,
      lost: stuck,
    };
  } finally {
    redis.disconnect();
  }
}

/** The dead-letter stream holds nothing: every event was handled, none gave up after max deliveries. */
async function checkDeadLetters(targets: AuditTargets): Promise<AuditFinding> {
  const nc = await connect({ servers: targets.natsUrl, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(`${targets.natsStream}_DLQ`).catch(() => undefined);
    const messages = info?.state.messages ?? 0;
    return {
      check: 'dead-letter stream empty',
      expected: 0,
      found: messages,
      lost: messages > 0 ? [`${messages} dead letter(s) in ${targets.natsStream}_DLQ`] : [],
    };
  } finally {
    await nc.close();
  }
}
