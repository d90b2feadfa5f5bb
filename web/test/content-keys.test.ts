import { execFile } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../packages/cli/src/ingest.js';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { chooseProfile, signIn, waitForPlayback } from './support/viewer.js';

const run = promisify(execFile);
const skip = browserSkipReason();

interface Viewer {
  token: string;
  profileId: string;
}

/**
 * Issue 15 section 3 end to end, on the real platform (encryption is on by default): an uploaded
 * title's segments are stored encrypted, its session playlists name a key that the edge forwards to
 * streaming, ffmpeg decodes the whole ladder through the session's master, hls.js plays it in
 * Chromium, and the key is refused to everyone else.
 */
describe.skipIf(skip)('content keys bound to the playback session', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let titleId: string;

  const api = async (viewer: Viewer | undefined, method: string, path: string, body?: unknown) =>
    fetch(`${platform.url}${path}`, {
      method,
      headers: {
        ...(viewer ? { authorization: `Bearer ${viewer.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function newViewerAccount(): Promise<Viewer> {
    const account = await signUp(platform.url, 'premium');
    const token = await login(platform.url, account.email, account.password);
    const profiles = (await (await api({ token, profileId: '' }, 'GET', '/api/profiles')).json()) as {
      items?: { profileId: string }[];
      profiles?: { profileId: string }[];
    };
    const profileId = (profiles.items ?? profiles.profiles ?? [])[0]!.profileId;
    return { token, profileId };
  }

  async function startPlayback(viewer: Viewer) {
    const res = await api(viewer, 'POST', '/api/playback', { profileId: viewer.profileId, titleId });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { sessionId: string; manifestUrl: string };
  }

  /** The first video variant's playlist URL, its text, and the key URL it names. */
  async function firstVariant(manifestUrl: string) {
    const master = await (await fetch(manifestUrl)).text();
    const uri = master.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'))!;
    const playlistUrl = new URL(uri, manifestUrl);
    const playlist = await (await fetch(playlistUrl)).text();
    const keyUri = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"/.exec(playlist)?.[1];
    return { playlistUrl, playlist, keyUrl: keyUri === undefined ? undefined : new URL(keyUri, playlistUrl) };
  }

  const expectRefused = async (res: Response) => {
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  };

  beforeAll(async () => {
    const [p, b, clip] = await Promise.all([
      startTestPlatform(),
      launchChromium(),
      makeClip({ seconds: 10, height: 360 }),
    ]);
    platform = p;
    browser = b;
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    titleId = await catalog.movie('Sealed', clip, 'R', ['Thriller']);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('stores segments encrypted and gives the key to the live session only', async () => {
    const viewer = await newViewerAccount();
    const session = await startPlayback(viewer);
    const { playlistUrl, playlist, keyUrl } = await firstVariant(session.manifestUrl);
    expect(keyUrl?.pathname).toMatch(/\/t\/[^/]+\/a\/[^/]+\/content\.key$/);

    const keyRes = await fetch(keyUrl!);
    expect(keyRes.status).toBe(200);
    expect(keyRes.headers.get('cache-control')).toBe('no-store');
    const key = Buffer.from(await keyRes.arrayBuffer());
    expect(key.length).toBe(16);

    // What the edge serves (and storage holds) is ciphertext: no fMP4 box where a segment's first one is.
    const first = playlist.split('\n').find((l) => l.endsWith('.m4s'))!;
    const sealed = Buffer.from(await (await fetch(new URL(first, playlistUrl))).arrayBuffer());
    expect(['styp', 'moof']).not.toContain(sealed.subarray(4, 8).toString('latin1'));
    const iv = Buffer.alloc(16); // IV = media sequence number 0
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    const opened = Buffer.concat([decipher.update(sealed), decipher.final()]);
    expect(['styp', 'moof']).toContain(opened.subarray(4, 8).toString('latin1'));

    // Another account cannot ask for this session's key through the API, nor can anyone after a stop.
    const other = await newViewerAccount();
    const asset = keyUrl!.pathname.split('/')[4]!;
    await expectRefused(await api(other, 'GET', `/api/playback/${session.sessionId}/key?asset=${asset}`));
    const own = await api(viewer, 'GET', `/api/playback/${session.sessionId}/key?asset=${asset}`);
    expect(Buffer.from(await own.arrayBuffer()).equals(key)).toBe(true);
    // No session: a forged token, and an artwork token (catalog posters) that names no session.
    await expectRefused(await fetch(keyUrl!.href.replace(/\/t\/[^/]+\//, '/t/not.a-token/')));
    const detail = (await (await api(viewer, 'GET', `/api/titles/${titleId}`)).json()) as {
      posterUrl?: string;
    };
    if (detail.posterUrl) {
      await expectRefused(await fetch(detail.posterUrl.replace(/[^/]+$/, 'content.key')));
    }
    expect((await api(viewer, 'DELETE', `/api/playback/${session.sessionId}`)).status).toBe(204);
    await expect.poll(async () => (await fetch(keyUrl!)).status, { timeout: 10_000 }).toBe(403);
    await expectRefused(await fetch(keyUrl!));
  }, 120_000);

  it('ffmpeg decodes the whole ladder through the session master', async () => {
    const viewer = await newViewerAccount();
    const session = await startPlayback(viewer);
    const { stdout, stderr } = await run(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-nostats', '-progress', 'pipe:1', '-i', session.manifestUrl].concat([
        '-map',
        '0',
        '-f',
        'null',
        '-',
      ]),
      { timeout: 120_000 },
    );
    // ffmpeg's HLS demuxer notes that it cannot keep one connection across the two edges' pathways.
    const problems = stderr
      .split('\n')
      .filter((l) => l.trim() && !l.includes('Cannot reuse HTTP connection'));
    expect(problems).toEqual([]);
    const frames = Number(/frame=(\d+)\s*\n(?![\s\S]*frame=)/.exec(stdout)?.[1] ?? 0);
    expect(frames).toBeGreaterThanOrEqual(9 * 24);
    await api(viewer, 'DELETE', `/api/playback/${session.sessionId}`);
  }, 120_000);

  it('hls.js plays it in Chromium, fetching the key from the edge', async () => {
    const context = await newViewer(browser, platform.url);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    const keys: number[] = [];
    page.on('response', (res) => {
      if (res.url().endsWith('/content.key')) keys.push(res.status());
    });
    const media: string[] = [];
    page.on('request', (req) => {
      const path = new URL(req.url()).pathname;
      if (/^\/t\/[^/]+\/a\//.test(path)) media.push(path);
    });
    await signIn(page, await signUp(platform.url, 'premium'));
    await chooseProfile(page);
    await page.goto(`/watch/${titleId}`);
    await waitForPlayback(page, 2.5);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((s) => s === 200)).toBe(true);
    // A cold start asks for the key as soon as the session has answered, beside the master (issue 23),
    // not once hls.js has read a media playlist: then the first segment's decryption waited for it.
    const key = media.findIndex((p) => p.endsWith('/content.key'));
    const playlist = media.findIndex((p) => p.endsWith('.m3u8') && !p.endsWith('/master.m3u8'));
    expect(key, media.join('\n')).toBeGreaterThanOrEqual(0);
    expect(key, media.join('\n')).toBeLessThan(playlist);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 120_000);
});
