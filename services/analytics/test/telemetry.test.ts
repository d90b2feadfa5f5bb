import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHeaders, SERVICE_TOKEN_HEADER, serviceToken, type Identity } from '@marquee/core';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { buildAnalytics, type AnalyticsModule } from '../src/index.js';
import type { SessionFact } from '../src/app/session-facts.js';

let ctx: TestContext;
let analytics: AnalyticsModule;
// The bus stamps events with the real clock, so the service's clock is the real one too.
const now = Date.now() + 60_000;
const viewer: Identity = { accountId: 'acc-1', role: 'viewer', plan: 'premium' };
const other: Identity = { accountId: 'acc-2', role: 'viewer', plan: 'basic' };
const admin: Identity = { accountId: 'adm', role: 'admin', plan: 'premium' };

const fact = (sessionId: string, accountId: string, stoppedAt: string | null = null): SessionFact => ({
  sessionId,
  accountId,
  profileId: `${accountId}-p`,
  titleId: 'title-1',
  expiresAt: new Date(now + 3_600_000).toISOString(),
  stoppedAt,
});
const sessions = new Map<string, SessionFact>([
  ['live-1', fact('live-1', 'acc-1')],
  ['theirs', fact('theirs', 'acc-2')],
  ['ended', fact('ended', 'acc-1', new Date(now - 10 * 60_000).toISOString())],
  ['busy', fact('busy', 'acc-1')],
]);

const batch = (seq: number, extra: Record<string, unknown> = {}) => ({
  seq,
  startupMs: 640,
  watchMs: 12_000,
  bitrate: 1_800_000,
  position: 12,
  stalls: [{ position: 6, durationMs: 300 }],
  switches: [{ position: 0, bitrate: 1_800_000, height: 720 }],
  droppedFrames: 2,
  errors: [{ kind: 'network', fatal: false, detail: 'fragLoadTimeOut' }],
  edge: 'edge-1',
  ...extra,
});

function send(identity: Identity | undefined, sessionId: string, body: unknown) {
  return analytics.app.inject({
    method: 'POST',
    url: `/api/playback/${sessionId}/telemetry`,
    headers: {
      [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret),
      ...(identity ? identityHeaders(identity) : {}),
    },
    payload: body as object,
  });
}

async function lakeIds(): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const glob = join(analytics.lakeDir, 'telemetry', '*', '*.parquet');
    const reader = await c.runAndReadAll(
      `SELECT session_id FROM read_parquet('${glob}', hive_partitioning = true) ORDER BY session_id`,
    );
    return (reader.getRowObjectsJS() as { session_id: string }[]).map((r) => r.session_id);
  } catch (err) {
    if (/No files found/.test(String(err))) return [];
    throw err;
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

beforeAll(async () => {
  ctx = await createTestContext();
  analytics = await buildAnalytics(ctx, {
    sessions: { find: (id) => Promise.resolve(sessions.get(id)) },
    now: () => now,
    flushMs: 100,
    flushEvents: 50,
    telemetryPerMinute: 3,
    duckThreads: 2,
  });
  await analytics.start();
});

afterAll(async () => {
  await analytics.stop();
  await analytics.app.close();
  await ctx.cleanup();
});

async function settled(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await ctx.bus.lag('analytics-lake')) > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  await analytics.flushLake();
}

describe('telemetry endpoint', () => {
  it('takes a batch for the caller’s live session into the lake, once even when sent twice', async () => {
    expect((await send(viewer, 'live-1', batch(0))).statusCode).toBe(202);
    expect((await send(viewer, 'live-1', batch(0))).statusCode).toBe(202);
    await settled();
    expect(await lakeIds()).toEqual(['live-1']);
  });

  it('refuses another account’s session, an ended one, malformed batches and floods with problem+json', async () => {
    const cases: [Identity | undefined, string, unknown, number, string][] = [
      [viewer, 'theirs', batch(0), 404, 'urn:marquee:problem:not_found'],
      [other, 'live-1', batch(1), 404, 'urn:marquee:problem:not_found'],
      [viewer, 'nope', batch(0), 404, 'urn:marquee:problem:not_found'],
      [viewer, 'ended', batch(0), 409, 'urn:marquee:problem:telemetry.session_ended'],
      [undefined, 'live-1', batch(2), 401, 'urn:marquee:problem:unauthorized'],
      [viewer, 'live-1', batch(3, { accountId: 'acc-2' }), 400, 'urn:marquee:problem:validation'],
      [viewer, 'live-1', batch(3, { watchMs: -1 }), 400, 'urn:marquee:problem:validation'],
      [viewer, 'live-1', batch(3, { seq: 'x' }), 400, 'urn:marquee:problem:validation'],
      [
        viewer,
        'live-1',
        batch(3, { stalls: Array.from({ length: 101 }, () => ({ position: 1, durationMs: 1 })) }),
        400,
        'urn:marquee:problem:validation',
      ],
      [
        viewer,
        'live-1',
        batch(3, { errors: [{ kind: 'bad kind!', fatal: true }] }),
        400,
        'urn:marquee:problem:validation',
      ],
      [viewer, 'live-1', 'not json at all', 415, 'urn:marquee:problem:bad_request'],
      [viewer, '..%2f', batch(3), 400, 'urn:marquee:problem:validation'],
    ];
    for (const [identity, session, body, status, type] of cases) {
      const res = await send(identity, session, body);
      expect([session, res.statusCode]).toEqual([session, status]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json<{ type: string }>().type).toBe(type);
    }
    for (let seq = 0; seq < 3; seq++) expect((await send(viewer, 'busy', batch(seq))).statusCode).toBe(202);
    const flood = await send(viewer, 'busy', batch(4));
    expect(flood.statusCode).toBe(429);
    expect(flood.json<{ type: string }>().type).toBe('urn:marquee:problem:rate_limited');
    await settled();
    expect(await lakeIds()).toEqual(['busy', 'busy', 'busy', 'live-1']);
  });

  it('answers admins only, from the lake', async () => {
    const ask = (identity: Identity, url: string) =>
      analytics.app.inject({
        method: 'GET',
        url,
        headers: { [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret), ...identityHeaders(identity) },
      });
    expect((await ask(viewer, '/api/admin/analytics/overview')).statusCode).toBe(403);
    const overview = await ask(admin, '/api/admin/analytics/overview');
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toMatchObject({ totals: { sessions: 2, starts: 4, startupP50Ms: 640 } });
    const listed = await ask(admin, '/api/admin/analytics/sessions?edge=edge-1&limit=5');
    expect(listed.json<{ items: { sessionId: string; startupMs: number }[] }>().items).toMatchObject([
      { startupMs: 640 },
      { startupMs: 640 },
    ]);
    const title = await ask(admin, '/api/admin/analytics/titles/title-1');
    expect(title.json()).toMatchObject({ titleId: 'title-1', watchSeconds: 48 });
    const reversed = await ask(
      admin,
      '/api/admin/analytics/overview?from=2026-12-06T12:00:00Z&to=2026-12-01T00:00:00Z',
    );
    expect(reversed.statusCode).toBe(400);
  });
});
