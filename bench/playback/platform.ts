/**
 * The server side of bench/playback, in its own process so the load generator does not share its
 * event loop: users, streaming and the gateway on the embedded backends, a ready title, and one line
 * of JSON {gateway, titleId} once everything listens. Two layouts:
 *   PLAYBACK_BENCH_LAYOUT=one        all three in this process, as `marquee start` runs them (default);
 *   PLAYBACK_BENCH_LAYOUT=gateway    the gateway in a process of its own (`platform.ts gateway`), as a
 *                                    deployment that cares about this rate runs it (`--target=gateway`).
 * The gateway's per-address rate limit is raised: the whole load comes from one loopback address.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { identityHeaders, SERVICE_TOKEN_HEADER, serviceToken, type ServiceName } from '@marquee/core';
import { createTestContext } from '@marquee/platform/testing';
import { buildGateway } from '@marquee/gateway';
import { buildStreaming } from '@marquee/streaming';
import { buildUsers } from '@marquee/users';

const host = '127.0.0.1';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const GATEWAY_TUNING = {
  rateLimits: {
    perAddress: { limit: 1e9, windowMs: 60_000 },
    perAccount: { limit: 1e9, windowMs: 60_000 },
  },
};
const url = (port: number) => `http://${host}:${port}`;

/** `platform.ts gateway`: only the gateway, in front of the users and streaming given in the env. */
async function gatewayOnly(): Promise<never> {
  const env = JSON.parse(process.env.PLAYBACK_BENCH_GATEWAY_ENV!) as {
    secret: string;
    port: number;
    urls: Partial<Record<ServiceName, string[]>>;
  };
  const ctx = await createTestContext({
    secret: env.secret,
    settings: { LOG_LEVEL: 'warn', MARQUEE_PORT: String(env.port) },
    urls: env.urls,
  });
  const gateway = await buildGateway(ctx, { tuning: GATEWAY_TUNING });
  await gateway.app.listen({ port: env.port, host });
  await gateway.start();
  console.log(JSON.stringify({ listening: url(env.port) }));
  process.once('SIGTERM', () => {
    void (async () => {
      await gateway.app.close();
      await gateway.stop();
      await ctx.cleanup();
      process.exit(0);
    })();
  });
  return new Promise<never>(() => {});
}
if (process.argv[2] === 'gateway') await gatewayOnly();

const separateGateway = process.env.PLAYBACK_BENCH_LAYOUT === 'gateway';
const [usersPort, streamingPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
const urls = {
  users: [url(usersPort)],
  streaming: [url(streamingPort)],
  edge: ['http://127.0.0.1:19001', 'http://127.0.0.1:19002'],
} satisfies Partial<Record<ServiceName, string[]>>;
const ctx = await createTestContext({
  settings: { LOG_LEVEL: 'warn', MARQUEE_PORT: String(gatewayPort) },
  urls,
});

const users = await buildUsers(ctx);
await users.app.listen({ port: usersPort, host });
const streaming = await buildStreaming(ctx);
await streaming.app.listen({ port: streamingPort, host });
const local = [users, streaming];
let gatewayProcess: ReturnType<typeof spawn> | undefined;
if (separateGateway) {
  const runTs = resolve(import.meta.dirname, '../../packages/cli/bin/run-ts.mjs');
  const self = resolve(import.meta.dirname, 'platform.ts');
  gatewayProcess = spawn(process.execPath, [...process.execArgv, runTs, self, 'gateway'], {
    env: {
      ...process.env,
      PLAYBACK_BENCH_GATEWAY_ENV: JSON.stringify({ secret: ctx.secret, port: gatewayPort, urls }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    gatewayProcess!.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    createInterface({ input: gatewayProcess!.stdout! }).once('line', () => resolve());
  });
} else {
  const gateway = await buildGateway(ctx, { tuning: GATEWAY_TUNING });
  await gateway.app.listen({ port: gatewayPort, host });
  local.unshift(gateway);
}
for (const service of local) await service.start();

// A ready movie: created as an admin, its upload registered as storage would, encoded as the encoder reports.
const internal = {
  [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret),
  'content-type': 'application/json',
};
const admin = identityHeaders({ accountId: 'bench-admin', role: 'admin', plan: 'premium' });
const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${url(streamingPort)}${path}`, {
    method: 'POST',
    headers: { ...internal, ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
};
const { titleId } = await post(
  '/api/admin/titles',
  { type: 'movie', name: 'Bench Movie', year: 2024, maturity: 'PG', genres: ['drama'] },
  admin,
);
const { assetId } = await post(`/internal/titles/${titleId}/assets`, { filename: 'bench.mp4' });
await ctx.bus.publish({
  type: 'media.encoded',
  source: 'encoder',
  data: {
    assetId,
    titleId,
    durationSeconds: 5400,
    renditions: [2160, 1080, 720, 480].map((height) => ({
      height,
      width: Math.round((height * 16) / 9),
      bandwidth: height * 6_000,
      codecs: 'avc1.640028,mp4a.40.2',
    })),
  },
});
for (;;) {
  const res = await fetch(`${url(streamingPort)}/internal/titles/${titleId}`, { headers: internal });
  if (((await res.json()) as { published?: boolean }).published) break;
  await new Promise((r) => setTimeout(r, 50));
}
console.log(
  JSON.stringify({
    gateway: url(gatewayPort),
    titleId,
    pids: [process.pid, ...(gatewayProcess?.pid ? [gatewayProcess.pid] : [])],
  }),
);
// Event-loop delay while under load: stalls here show up in every request's latency at once.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
if (process.env.PLAYBACK_BENCH_LOOP_DELAY)
  setInterval(() => {
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    console.error(
      `loop delay p50 ${ms(loopDelay.percentile(50))} p99 ${ms(loopDelay.percentile(99))} max ${ms(loopDelay.max)} ms`,
    );
    loopDelay.reset();
  }, 2000).unref();

const stop = async () => {
  gatewayProcess?.kill('SIGTERM');
  for (const service of local) {
    await service.app.close();
    await service.stop();
  }
  await ctx.cleanup();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
