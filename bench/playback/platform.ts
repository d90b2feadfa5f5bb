/**
 * The server side of bench/playback, in its own process so the load generator does not share its
 * event loop: users, streaming and the gateway on the embedded backends (one process, as in
 * monolithic mode), a ready title, and one line of JSON {gateway, titleId} once everything listens.
 * The gateway's per-address rate limit is raised: the whole load comes from one loopback address.
 */
import { createServer } from 'node:net';
import { identityHeaders, SERVICE_TOKEN_HEADER, serviceToken, type ServiceName } from '@marquee/core';
import { createTestContext } from '@marquee/platform';
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

const [usersPort, streamingPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
const url = (port: number) => `http://${host}:${port}`;
const ctx = await createTestContext({
  settings: { LOG_LEVEL: 'warn', MARQUEE_PORT: String(gatewayPort) },
  urls: {
    users: [url(usersPort)],
    streaming: [url(streamingPort)],
    edge: ['http://127.0.0.1:19001', 'http://127.0.0.1:19002'],
  } satisfies Partial<Record<ServiceName, string[]>>,
});

const users = await buildUsers(ctx);
await users.app.listen({ port: usersPort, host });
const streaming = await buildStreaming(ctx);
await streaming.app.listen({ port: streamingPort, host });
const gateway = await buildGateway(ctx, {
  tuning: {
    rateLimits: {
      perAddress: { limit: 1e9, windowMs: 60_000 },
      perAccount: { limit: 1e9, windowMs: 60_000 },
    },
  },
});
await gateway.app.listen({ port: gatewayPort, host });
for (const service of [users, streaming, gateway]) await service.start();

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
console.log(JSON.stringify({ gateway: url(gatewayPort), titleId }));

const stop = async () => {
  for (const service of [gateway, streaming, users]) {
    await service.app.close();
    await service.stop();
  }
  await ctx.cleanup();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
