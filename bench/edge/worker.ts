/**
 * One process of the clustered edge in bench/edge: a standalone edge on the port the cluster primary
 * shares with its workers (connections are handed out round-robin), filling from the bench's origin.
 * Tells the primary when it serves.
 */
import { createTestContext } from '@marquee/platform/testing';
import { buildEdge } from '@marquee/edge';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const port = Number(env('EDGE_BENCH_PORT'));
const cert = process.env.EDGE_BENCH_TLS_CERT;
const key = process.env.EDGE_BENCH_TLS_KEY;
const ctx = await createTestContext({
  secret: env('EDGE_BENCH_SECRET'),
  settings: {
    LOG_LEVEL: 'silent',
    ...(cert && key ? { EDGE_TLS: 'files', EDGE_TLS_CERT: cert, EDGE_TLS_KEY: key } : {}),
  },
  urls: { storage: [env('EDGE_BENCH_ORIGIN')] },
});
const edge = await buildEdge(ctx, {
  standalone: true,
  identity: {
    edgeId: `bench-edge-w${process.env.EDGE_BENCH_WORKER ?? '0'}`,
    url: `${cert ? 'https' : 'http'}://127.0.0.1:${port}`,
  },
  ramBytes: 512 * 1024 ** 2,
});
await edge.app.listen({ port, host: '127.0.0.1' });
await edge.start();
process.send?.('ready');
process.on('disconnect', () => {
  void (async () => {
    await edge.app.close();
    await edge.stop();
    await ctx.cleanup();
    process.exit(0);
  })();
});
