import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable } from '@marquee/platform/testing';
import { auditWrites } from '../src/chaos/audit.js';
import { ViewerLoad } from '../src/chaos/viewers.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/cluster.js';
import { ingest, login } from '../src/ingest.js';
import { generateClip } from './cluster.js';
import { signUpViewer, waitFor } from './helpers.js';

/**
 * `marquee cluster` in CI: two replicas of every service, each its own process, on the machine's
 * PostgreSQL, Redis and NATS and an s3rver, the gateways behind the rig's ingress. The acceptance path
 * runs through it, then one short chaos experiment — one SIGKILL of a replica of every service, under
 * viewers — must cost no start and lose no write.
 */
const engines = await Promise.all([
  backendAvailable('postgres'),
  backendAvailable('redis'),
  backendAvailable('nats'),
]);
const missing = ['postgres', 'redis', 'nats'].filter((_, i) => !engines[i]);
if (missing.length > 0)
  console.warn(`SKIP cluster acceptance test: needs ${missing.join(', ')} (see BACKENDS)`);

const ADMIN = { email: 'ops@marquee.test', password: 'a long admin passphrase' };
const run = promisify(execFile);

describe.skipIf(missing.length > 0)('marquee cluster (2 replicas of every service)', () => {
  let cluster: LocalCluster;
  let work = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'marquee-cluster-test-'));
    cluster = await startLocalCluster({ replicas: 2, admin: ADMIN, restartDelayMs: 500 });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    if (work) await rm(work, { recursive: true, force: true });
    // Nothing the rig started outlives it.
    for (const r of cluster?.replicas() ?? []) {
      expect(r.pid() === undefined || !groupAlive(r.pid()!), `${r.id} still running`).toBe(true);
    }
  }, 60_000);

  it('serves the acceptance path, then loses no start and no write when a replica of every service is killed', async () => {
    const fail = (err: Error) => Promise.reject(new Error(`${err.message}\n${cluster.recentOutput()}`));
    const began = Date.now();
    // Where the time goes, in CI's log: the machine may be busy, and this test runs 14 processes.
    const step = (what: string) =>
      console.log(`[cluster test +${((Date.now() - began) / 1000).toFixed(1)} s] ${what}`);
    const ready = await cluster.waitReady(120_000).catch(fail);
    for (const service of Object.keys(cluster.counts)) {
      if (service !== 'gateway')
        expect(ready.services[service], service).toMatchObject({ ready: 2, instances: 2 });
    }
    const gateway = cluster.url;
    step('every replica ready');

    // Sign-up, an upload through tus to ready, playback.
    const viewer = await signUpViewer(gateway);
    const admin = await login(gateway, ADMIN.email, ADMIN.password);
    const clip = await generateClip(work, 4);
    const encoded = await ingest({
      file: clip,
      title: 'Cluster clip',
      gateway,
      token: admin,
      pollMs: 250,
    }).catch(fail);
    expect(encoded.state, encoded.reason).toBe('ready');
    step('uploaded and encoded');

    const auth = { authorization: `Bearer ${viewer}` };
    const profiles = (await (await fetch(`${gateway}/api/profiles`, { headers: auth })).json()) as
      { items: { profileId: string }[] } | { profileId: string }[];
    const profileId = (Array.isArray(profiles) ? profiles : profiles.items)[0]!.profileId;
    const playback = await fetch(`${gateway}/api/playback`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ profileId, titleId: encoded.titleId }),
    });
    expect(playback.status, await playback.clone().text()).toBe(201);
    const { manifestUrl } = (await playback.json()) as { manifestUrl: string };
    const edges = cluster.replicas().filter((r) => r.service === 'edge');
    expect(edges.map((e) => e.url)).toContain(new URL(manifestUrl).origin);

    // ffmpeg plays the whole ladder from the edge: every playlist, init segment and media segment decodes
    // (it exits non-zero on a fetch or decode failure). It notes, harmlessly, when a playlist sends it to
    // the other edge.
    const decoded = await run(
      'ffmpeg',
      [
        '-hide_banner',
        '-v',
        'error',
        '-nostats',
        '-progress',
        'pipe:1',
        '-i',
        manifestUrl,
        '-map',
        '0',
        '-f',
        'null',
        '-',
      ],
      { timeout: 60_000 },
    );
    const frames = Number(/frame=(\d+)\s*\n(?![\s\S]*frame=)/.exec(decoded.stdout)?.[1] ?? 0);
    expect(frames).toBeGreaterThanOrEqual(4 * 24);
    const problems = decoded.stderr
      .split('\n')
      .filter((l) => l.trim() && !l.includes('Cannot reuse HTTP connection'));
    expect(problems).toEqual([]);

    step(`ffmpeg decoded ${frames} frames from an edge`);

    // IDOR: another account's viewer cannot start playback on, nor read the list of, the first one's profile.
    const intruder = await signUpIntruder(gateway);
    const stolen = await fetch(`${gateway}/api/playback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${intruder}`, 'content-type': 'application/json' },
      body: JSON.stringify({ profileId, titleId: encoded.titleId }),
    });
    expect([403, 404]).toContain(stolen.status);
    expect(stolen.headers.get('content-type')).toContain('application/problem+json');
    const list = await fetch(`${gateway}/api/profiles/${profileId}/list`, {
      headers: { authorization: `Bearer ${intruder}` },
    });
    expect([403, 404]).toContain(list.status);

    // Chaos: viewers watching while one replica of every service is SIGKILLed in turn; each comes back.
    const load = new ViewerLoad({ gateway, viewers: 3, titleIds: [encoded.titleId], thinkMs: 300 });
    await load.start();
    step('viewers watching');
    await sleep(3_000);
    const victims = Object.keys(cluster.counts).map((service) => `${service}-1`);
    for (const id of victims) {
      const before = cluster.replica(id).starts();
      expect(cluster.supervisor.signal(id, 'SIGKILL'), id).toBe(true);
      await waitFor(
        async () => (cluster.replica(id).starts() > before ? true : undefined),
        10_000,
        `${id} restarted`,
      );
      step(`${id} killed and started again`);
      await sleep(1_500);
    }
    await cluster.waitReady(120_000).catch(fail);
    step('every replica ready again');
    await sleep(2_000);
    await load.stop();

    const totals = load.totals();
    step(`load stopped: ${JSON.stringify(totals)}`);
    expect(totals.starts).toBeGreaterThan(10);
    expect(totals.failedStarts, load.failures.join('\n')).toBe(0);
    const audit = await auditWrites(
      {
        databaseUrl: cluster.env.DATABASE_URL!,
        redisUrl: cluster.env.REDIS_URL!,
        redisPrefix: cluster.env.REDIS_PREFIX!,
        natsUrl: cluster.env.NATS_URL!,
        natsStream: cluster.env.NATS_STREAM!,
      },
      load.ledger,
      [{ titleId: encoded.titleId }],
    );
    expect(audit.findings.find((f) => f.check.startsWith('heartbeats'))!.expected).toBeGreaterThan(0);
    step(`audit: ${audit.findings.map((f) => `${f.check} ${f.found}/${f.expected}`).join('; ')}`);
    expect(audit.ok, JSON.stringify(audit.findings, null, 2)).toBe(true);
  }, 300_000);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function signUpIntruder(gateway: string): Promise<string> {
  const res = await fetch(`${gateway}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'intruder@marquee.test',
      password: 'intruder passphrase 1',
      plan: 'basic',
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
