import cluster from 'node:cluster';
import { resolve } from 'node:path';

/**
 * Starts `workers` edge processes sharing one port (Node's cluster module: the primary accepts and
 * hands connections out round-robin), the way nginx's workers share its port. Resolves once every
 * worker serves; `stop()` ends them.
 */
export async function startEdgeCluster(options: {
  workers: number;
  port: number;
  origin: string;
  secret: string;
  /** PEM files: the workers serve TLS (EDGE_TLS=files) instead of plain HTTP. */
  tls?: { cert: string; key: string };
}): Promise<{ pids: number[]; stop(): Promise<void> }> {
  cluster.setupPrimary({
    exec: resolve('packages/cli/bin/run-ts.mjs'),
    args: [resolve(import.meta.dirname, 'worker.ts')],
    silent: false,
  });
  const ready = Array.from({ length: options.workers }, (_, i) => {
    const worker = cluster.fork({
      EDGE_BENCH_PORT: String(options.port),
      EDGE_BENCH_ORIGIN: options.origin,
      EDGE_BENCH_SECRET: options.secret,
      EDGE_BENCH_WORKER: String(i + 1),
      ...(options.tls ? { EDGE_BENCH_TLS_CERT: options.tls.cert, EDGE_BENCH_TLS_KEY: options.tls.key } : {}),
    });
    return new Promise<typeof worker>((resolveReady, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolveReady(worker) : reject(new Error(String(m)))));
      worker.once('exit', (code) => reject(new Error(`edge worker exited with ${code}`)));
    });
  });
  const workers = await Promise.all(ready);
  return {
    pids: workers.map((w) => w.process.pid!),
    async stop() {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolveExit) => {
              w.once('exit', () => resolveExit());
              w.disconnect();
            }),
        ),
      );
    },
  };
}
