import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '@marquee/core';
import { freePort } from '../src/ports.js';
import { startPlatform, type RunningPlatform } from '../src/platform.js';
import { tempDataDir } from './helpers.js';

/** startPlatform with a subset of services, in this process, on embedded backends in a temp dir. */

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function capturingLogger() {
  const lines: { level: number; msg: string; warnings?: string[] }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

const elsewhere = {
  MARQUEE_USERS_URLS: 'http://127.0.0.1:9',
  MARQUEE_STREAMING_URLS: 'http://127.0.0.1:9',
  MARQUEE_RECOMMENDER_URLS: 'http://127.0.0.1:9',
  MARQUEE_ENCODER_URLS: 'http://127.0.0.1:9',
  MARQUEE_STORAGE_URLS: 'http://127.0.0.1:9',
  MARQUEE_ANALYTICS_URLS: 'http://127.0.0.1:9',
};

async function start(
  env: Record<string, string>,
  targets: Parameters<typeof startPlatform>[2],
  dataDir = tempDataDir(),
) {
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const { logger, lines } = capturingLogger();
  const settings = loadSettings({ MARQUEE_DATA_DIR: dataDir, MARQUEE_DEMO: 'false', ...env });
  const platform: RunningPlatform = await startPlatform(settings, logger, targets);
  cleanup.push(() => platform.close());
  return { platform, lines };
}

describe('startPlatform with a subset of the services', () => {
  it('warns, once and by name, about each embedded backend the subset shares only through the data dir', async () => {
    const port = await freePort('127.0.0.1');
    const { lines } = await start(
      { ...elsewhere, MARQUEE_PORT: String(port), MARQUEE_EDGE_URLS: 'http://127.0.0.1:9' },
      ['gateway'],
    );
    const warning = lines.find((l) => l.msg.startsWith('running some services on embedded backends'));
    expect(warning?.level).toBe(40);
    expect(warning?.warnings?.join('\n')).toMatch(
      /REDIS_URL[\s\S]*NATS_URL[\s\S]*DATABASE_URL[\s\S]*S3_BUCKET/,
    );
  });

  it("allows the edges' public origins in the gateway's content security policy", async () => {
    const port = await freePort('127.0.0.1');
    await start(
      {
        ...elsewhere,
        MARQUEE_PORT: String(port),
        MARQUEE_EDGE_URLS: 'http://edge.internal:8080',
        EDGE_PUBLIC_URLS: 'https://edge-a.example.com,https://edge-b.example.com/',
      },
      ['gateway'],
    );
    const csp = (await fetch(`http://127.0.0.1:${port}/healthz`)).headers.get('content-security-policy');
    expect(csp).toMatch(/media-src [^;]*https:\/\/edge-a\.example\.com/);
    expect(csp).toMatch(/connect-src [^;]*https:\/\/edge-b\.example\.com/);
  });

  it('takes MARQUEE_<SERVICE>_URLS as every instance of a target, its own included (edge ordinals)', async () => {
    const [own, other] = [await freePort('127.0.0.1'), await freePort('127.0.0.1')];
    const edges = `http://127.0.0.1:${other},http://127.0.0.1:${own}`;
    const { platform } = await start(
      { ...elsewhere, MARQUEE_EDGE_PORTS: String(own), MARQUEE_EDGE_URLS: edges },
      ['edge'],
    );
    expect(platform.urls.edge).toEqual(edges.split(','));
    expect(platform.urls.streaming).toEqual(['http://127.0.0.1:9']);
  });

  it('refuses to start when a service it does not run has no URL, naming the setting', async () => {
    const { MARQUEE_USERS_URLS: _, ...rest } = elsewhere;
    await expect(start({ ...rest, MARQUEE_EDGE_URLS: 'http://127.0.0.1:9' }, ['streaming'])).rejects.toThrow(
      ConfigError,
    );
    await expect(start({ ...rest, MARQUEE_EDGE_URLS: 'http://127.0.0.1:9' }, ['streaming'])).rejects.toThrow(
      /MARQUEE_USERS_URLS/,
    );
  });

  it('refuses plain-HTTP edge URLs when the edges listen with TLS', async () => {
    const env = { ...elsewhere, EDGE_TLS: 'self-signed', MARQUEE_EDGE_URLS: 'http://127.0.0.1:9' };
    await expect(start(env, ['streaming'])).rejects.toThrow(/MARQUEE_EDGE_URLS: EDGE_TLS=self-signed/);
  });

  it('lets instances of the same services share one data dir on embedded backends, started at the same moment', async () => {
    const dataDir = tempDataDir();
    // Only the services not run here have URLs: the targets listen on free ports of their own.
    const env = {
      MARQUEE_ENCODER_URLS: 'http://127.0.0.1:9',
      MARQUEE_EDGE_URLS: 'http://127.0.0.1:9',
      MARQUEE_ANALYTICS_URLS: 'http://127.0.0.1:9',
    };
    const targets: Parameters<typeof startPlatform>[2] = ['users', 'streaming', 'recommender', 'storage'];
    // Two connections to each fresh SQLite file migrate it at once; the event log and the generated
    // secret are created by both too.
    const [a, b] = await Promise.all([start(env, targets, dataDir), start(env, targets, dataDir)]);
    expect(a.platform.context.secret).toBe(b.platform.context.secret);
    for (const name of targets) {
      for (const url of [...a.platform.urls[name], ...b.platform.urls[name]]) {
        expect((await fetch(`${url}/healthz`)).status, `${name} ${url}`).toBe(200);
      }
    }
  });
});
