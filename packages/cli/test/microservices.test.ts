import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable } from '@marquee/platform/testing';
import { ingest, login } from '../src/ingest.js';
import {
  clusterEnv,
  clusterOutput,
  generateClip,
  planCluster,
  removeCluster,
  startCluster,
  type RunningInstance,
} from './cluster.js';
import { processGroupAlive, signUpViewer, waitFor } from './helpers.js';
import { loadManifestFiles } from './manifests.js';
import { openSharedEngines, type SharedEngines } from './shared-engines.js';

/**
 * Microservices mode on the real engines: nine OS processes (two streaming instances, two edges), each
 * with its own data dir, sharing only PostgreSQL, Redis, NATS JetStream and S3 (s3rver), driven through
 * the gateway as a viewer and an operator would.
 */
const engines = await Promise.all([
  backendAvailable('postgres'),
  backendAvailable('redis'),
  backendAvailable('nats'),
  backendAvailable('s3'),
]);
const missing = ['postgres', 'redis', 'nats', 's3'].filter((_, i) => !engines[i]);
if (missing.length > 0) {
  console.warn(`SKIP microservices end-to-end test: needs ${missing.join(', ')} (see BACKENDS)`);
}

const ADMIN = { email: 'ops@marquee.test', password: 'a long admin passphrase' };

interface Readiness {
  status: string;
  services: Record<string, { status: string; ready: number; instances: number }>;
}

describe.skipIf(missing.length > 0)('marquee start --target=<service> (microservices mode)', () => {
  let shared: SharedEngines;
  let cluster: RunningInstance[] = [];
  let gateway = '';
  let work = '';
  const instance = (id: string) => cluster.find((i) => i.id === id)!;
  const readiness = async () => (await (await fetch(`${gateway}/readyz`)).json()) as Readiness;

  beforeAll(async () => {
    shared = await openSharedEngines();
    work = await mkdtemp(join(tmpdir(), 'marquee-ms-'));
    const plans = await planCluster();
    gateway = plans.find((p) => p.service === 'gateway')!.url;
    cluster = startCluster(plans, {
      ...shared.env,
      ...clusterEnv(plans),
      MARQUEE_ADMIN_EMAIL: ADMIN.email,
      MARQUEE_ADMIN_PASSWORD: ADMIN.password,
    });
  }, 60_000);

  afterAll(async () => {
    await removeCluster(cluster);
    await shared?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('serves a title uploaded, encoded and played across processes, survives a dead instance, stops cleanly', async () => {
    // Every instance of every service ready, seen through the gateway's aggregated /readyz.
    const ready = await waitFor(
      async () => {
        const body = await readiness();
        const all = Object.values(body.services).every((s) => s.ready === s.instances);
        return body.status === 'ready' && all ? body : undefined;
      },
      60_000,
      'every instance ready',
    ).catch((err: Error) => Promise.reject(new Error(`${err.message}\n${clusterOutput(cluster)}`)));
    expect(Object.keys(ready.services).sort()).toEqual(
      ['analytics', 'edge', 'encoder', 'gateway', 'recommender', 'storage', 'streaming', 'users'].sort(),
    );
    expect(ready.services.streaming).toMatchObject({ ready: 2, instances: 2 });
    expect(ready.services.edge).toMatchObject({ ready: 2, instances: 2 });
    // On the shared engines nothing is embedded, so no process warns about it.
    expect(clusterOutput(cluster)).not.toContain('embedded backends');
    // Each process answers the probes its Kubernetes manifest points at (deploy/kubernetes).
    for (const i of cluster) {
      for (const path of probePaths(i.service)) {
        expect((await fetch(`${i.url}${path}`)).status, `${i.id} ${path}`).toBe(200);
      }
    }

    // A viewer signs up (users); the first admin from MARQUEE_ADMIN_* logs in.
    const viewer = await signUpViewer(gateway);
    const adminToken = await login(gateway, ADMIN.email, ADMIN.password);

    // Operator path: title (streaming) → tus upload (storage, staged in S3) → media.uploaded over NATS →
    // encoder writes the ladder to S3 → media.encoded → streaming publishes the title.
    const clip = await generateClip(work);
    const encoded = await Promise.race([
      ingest({ file: clip, title: 'Cross-process clip', gateway, token: adminToken, pollMs: 250 }).catch(
        (err: Error) => Promise.reject(new Error(`${err.message}\n${clusterOutput(cluster)}`)),
      ),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`not ready in 60 s\n${clusterOutput(cluster)}`)), 60_000),
      ),
    ]);
    expect(encoded.state, encoded.reason).toBe('ready');

    // Viewer path: playback session (streaming, users for entitlements) → master playlist and a segment
    // from an edge, filled from storage's origin over S3.
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
    const edgeUrls = cluster.filter((i) => i.service === 'edge').map((i) => i.url);
    expect(edgeUrls).toContain(new URL(manifestUrl).origin);
    for (const edge of edgeUrls) {
      // The media token is an HMAC every edge checks on its own: both edges serve the same session.
      const master = new URL(new URL(manifestUrl).pathname, edge);
      const segment = await firstSegment(master);
      expect(segment.status).toBe(200);
      expect(segment.bytes).toBeGreaterThan(0);
    }

    // SIGKILL one streaming instance: the gateway routes around it (retry + outlier ejection).
    process.kill(-instance('streaming-1').process.child.pid!, 'SIGKILL');
    await instance('streaming-1').process.exited;
    const statuses: number[] = [];
    let listing = '';
    for (let i = 0; i < 20; i += 1) {
      const res = await fetch(`${gateway}/api/titles`, { headers: auth });
      statuses.push(res.status);
      listing = await res.text();
    }
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    expect(listing).toContain(encoded.titleId);
    // The admin health view shows the dead instance ejected from the streaming upstream.
    const dead = instance('streaming-1').url;
    const health = (await (
      await fetch(`${gateway}/api/admin/health`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { upstreams: Record<string, { instances: { url: string; ejected: boolean }[] }> };
    expect(health.upstreams.streaming?.instances).toContainEqual(
      expect.objectContaining({ url: dead, ejected: true }),
    );
    const degraded = await waitFor(
      async () => {
        const body = await readiness();
        return body.services.streaming?.ready === 1 ? body : undefined;
      },
      10_000,
      'readyz to count one streaming instance down',
    );
    expect(degraded.status).toBe('ready');
    expect(degraded.services.streaming).toMatchObject({ ready: 1, instances: 2 });

    // SIGTERM the rest: each drains and exits 0, and no process group outlives its instance.
    const alive = cluster.filter((i) => i.id !== 'streaming-1');
    for (const i of alive) process.kill(i.process.child.pid!, 'SIGTERM');
    const codes = await Promise.all(
      alive.map(async (i) => {
        const code = await Promise.race([
          i.process.exited,
          new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000)),
        ]);
        return [i.id, code] as const;
      }),
    );
    expect(Object.fromEntries(codes), clusterOutput(alive)).toEqual(
      Object.fromEntries(alive.map((i) => [i.id, 0])),
    );
    // Children (ffmpeg, tsx's esbuild service) see their parent go and leave within moments.
    const survivors = () => alive.filter((i) => processGroupAlive(i.process.child.pid!));
    await waitFor(
      async () => (survivors().length === 0 ? true : undefined),
      5_000,
      'process groups to end',
    ).catch(() => undefined);
    expect(survivors().map((i) => `${i.id}: ${processesInGroup(i.process.child.pid!)}`)).toEqual([]);
  }, 150_000);
});

/** Fetches a master playlist, its first variant and that variant's first media segment. */
async function firstSegment(master: URL): Promise<{ status: number; bytes: number }> {
  const text = async (url: URL) => {
    const res = await fetch(url);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url.pathname} answered ${res.status}: ${body}`);
    return body;
  };
  const uris = (playlist: string) =>
    playlist
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  const masterText = await text(master);
  expect(masterText.startsWith('#EXTM3U')).toBe(true);
  const variant = new URL(uris(masterText)[0]!, master);
  const media = uris(await text(variant));
  const segment = await fetch(new URL(media[0]!, variant));
  return { status: segment.status, bytes: (await segment.arrayBuffer()).byteLength };
}

/** The HTTP probe paths of `service`'s workload in deploy/kubernetes. */
function probePaths(service: string): string[] {
  const workload = loadManifestFiles()
    .flatMap((f) => f.documents)
    .find((m) => m.spec?.template?.spec.containers[0]?.args?.includes(`--target=${service}`));
  const c = workload?.spec?.template?.spec.containers[0];
  const paths = [c?.readinessProbe, c?.livenessProbe, c?.startupProbe].flatMap((p) => p?.httpGet?.path ?? []);
  if (paths.length === 0) throw new Error(`no probes for ${service} in deploy/kubernetes`);
  return [...new Set(paths)];
}

/** What still runs in a process group (for the failure message). */
function processesInGroup(pgid: number): string {
  try {
    return execFileSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(pgid)], { encoding: 'utf8' }).trim();
  } catch {
    return '(ps found none)';
  }
}
