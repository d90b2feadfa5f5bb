import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadSettings, SERVICE_NAMES } from '@marquee/core';
import { ingest, login } from '../src/ingest.js';
import { startPlatform, type RunningPlatform } from '../src/platform.js';
import { freePort } from '../src/ports.js';
import { generateClip } from './cluster.js';
import { signUpViewer, tempDataDir, waitFor } from './helpers.js';

/**
 * Monolithic mode with EDGE_TLS=self-signed, in this process: every URL that names an edge is https —
 * the gateway's probes (so /readyz is 200), the playback answer, the steering pathways in the session
 * master, posters and the web app's CSP — and a player that trusts the generated certificate plays.
 */
const ADMIN = { email: 'ops@marquee.test', password: 'a long admin passphrase' };

let platform: RunningPlatform;
let dataDir: string;
let work: string;
let trusting: Agent;

beforeAll(async () => {
  dataDir = tempDataDir();
  work = await mkdtemp(join(tmpdir(), 'marquee-edge-tls-'));
  const settings = loadSettings({
    MARQUEE_PORT: String(await freePort('127.0.0.1')),
    MARQUEE_DATA_DIR: dataDir,
    MARQUEE_DEMO: 'false',
    MARQUEE_ADMIN_EMAIL: ADMIN.email,
    MARQUEE_ADMIN_PASSWORD: ADMIN.password,
    EDGE_TLS: 'self-signed',
    PATH: process.env.PATH,
  });
  platform = await startPlatform(
    settings,
    createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    SERVICE_NAMES,
  );
  // What a player is given to trust: the certificate the edges generated in the data dir.
  trusting = new Agent({ connect: { ca: await readFile(join(dataDir, 'edge-tls', 'cert.pem')) } });
}, 60_000);

afterAll(async () => {
  await trusting?.close();
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const readyz = () => fetch(`${platform.gatewayUrl}/readyz`);

describe('EDGE_TLS=self-signed', () => {
  it('advertises https edges everywhere and serves playback over TLS with the generated certificate', async () => {
    const gateway = platform.gatewayUrl;
    expect(platform.urls.edge).toHaveLength(2);
    for (const url of platform.urls.edge) expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // The gateway probes the edges over TLS, trusting their certificate: the platform becomes ready.
    await waitFor(async () => ((await readyz()).status === 200 ? true : undefined), 30_000, 'readyz 200');
    const ready = (await (await readyz()).json()) as { services: Record<string, { ready: number }> };
    expect(ready.services.edge).toMatchObject({ status: 'ready', ready: 2, instances: 2 });

    // The web app's CSP lets the player reach the https edges.
    const csp = (await fetch(`${gateway}/`)).headers.get('content-security-policy') ?? '';
    for (const url of platform.urls.edge) expect(csp).toMatch(new RegExp(`media-src [^;]*${url}`));

    const adminToken = await login(gateway, ADMIN.email, ADMIN.password);
    const clip = await generateClip(work, 2);
    const encoded = await ingest({ file: clip, title: 'Over TLS', gateway, token: adminToken, pollMs: 250 });
    expect(encoded.state, encoded.reason).toBe('ready');

    const auth = { authorization: `Bearer ${await signUpViewer(gateway)}` };
    const profiles = (await (await fetch(`${gateway}/api/profiles`, { headers: auth })).json()) as {
      items: { profileId: string }[];
    };
    const profileId = profiles.items[0]!.profileId;

    // Posters in the catalog come from an https edge and load with the certificate trusted.
    const titles = (await (await fetch(`${gateway}/api/titles`, { headers: auth })).json()) as {
      items: { titleId: string; posterUrl: string | null }[];
    };
    const posterUrl = titles.items.find((t) => t.titleId === encoded.titleId)?.posterUrl;
    expect(posterUrl).toMatch(/^https:\/\//);
    expect((await get(posterUrl!, trusting)).status).toBe(200);

    const playback = await fetch(`${gateway}/api/playback`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ profileId, titleId: encoded.titleId }),
    });
    expect(playback.status, await playback.clone().text()).toBe(201);
    const { manifestUrl, edges } = (await playback.json()) as {
      manifestUrl: string;
      edges: { url: string }[];
    };
    expect(manifestUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/t\/[^/]+\/a\/[^/]+\/master\.m3u8$/);
    expect(platform.urls.edge).toContain(new URL(manifestUrl).origin);
    for (const edge of edges) expect(edge.url).toMatch(/^https:\/\//);

    // Without the certificate a client refuses the edge: nothing turned verification off.
    await expect(request(manifestUrl)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

    // Two edges: the session master steers between them, one pathway each, with absolute https URIs
    // (once the edges have heard of each other through streaming, within a report or two).
    const master = await waitFor(
      async () => {
        const answer = await get(manifestUrl, trusting);
        return answer.status === 200 && answer.text.includes('#EXT-X-CONTENT-STEERING') ? answer : undefined;
      },
      10_000,
      'a steered session master',
    );
    const absolute = [...master.text.matchAll(/(?:URI="|^)(\w+:\/\/[^"\s]+)/gm)].map((m) => m[1]!);
    const steeringUri = /#EXT-X-CONTENT-STEERING:.*SERVER-URI="([^"]+)"/.exec(master.text)?.[1];
    const media = absolute.filter((u) => u !== steeringUri);
    expect(media.length).toBeGreaterThan(0);
    for (const uri of media) expect(uri).toMatch(/^https:\/\/127\.0\.0\.1:/);

    const variantUrl = new URL(uris(master.text)[0]!, manifestUrl);
    const variant = await get(variantUrl.href, trusting);
    expect(variant.status, variant.text).toBe(200);
    const segmentUrl = new URL(
      uris(variant.text).find((u) => u.endsWith('.m4s'))!,
      variantUrl,
    );
    expect(segmentUrl.protocol).toBe('https:');
    const segment = await get(segmentUrl.href, trusting);
    expect(segment.status).toBe(200);
    expect(segment.bytes).toBeGreaterThan(0);

    // And the platform stays ready with viewers on the TLS edges.
    expect((await readyz()).status).toBe(200);
  }, 120_000);
});

/** URI lines of a playlist (not tags). */
function uris(playlist: string): string[] {
  return playlist
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

async function get(
  url: string,
  dispatcher: Dispatcher,
): Promise<{ status: number; text: string; bytes: number }> {
  const res = await request(url, { dispatcher });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, text: body.toString('utf8'), bytes: body.length };
}
