import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** True from drain() on: readiness answers 503 and every answer carries `Connection: close`. */
    readonly draining: boolean;
    /**
     * The first phase of a graceful shutdown (SIGTERM, before close()): the replica leaves its callers'
     * rotation while it still serves. Readiness (/readyz, /readyz/self) answers 503 at once, so the
     * balancers that poll it stop sending; every answer from now on carries `Connection: close`, so a
     * keep-alive client (a gateway's pool, a player) opens its next connection — to another instance,
     * once its balancer or steering has moved — instead of meeting a closed socket. Resolves after
     * `graceMs`; close() then stops accepting and lets the requests in flight finish.
     *
     * @example
     *   await app.drain(settings.SHUTDOWN_DRAIN_MS); // readiness 503, Connection: close, still serving
     *   await app.close(); // stop accepting, finish in-flight requests
     */
    drain(graceMs: number): Promise<void>;
  }
}

/**
 * The drain phase every createServiceServer app has (see FastifyInstance.drain). Without it a replica
 * stopping went straight to close(): Fastify answered 503 to whatever reached its open connections
 * and keep-alive clients met reset sockets — the rolling-restart experiment's first-attempt errors.
 */
export function installDrain(app: FastifyInstance): void {
  let draining = false;
  let drained: Promise<void> | undefined;
  app.decorate('draining', {
    getter: () => draining,
  });
  app.decorate('drain', (graceMs: number) => {
    draining = true;
    drained ??= new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, graceMs)));
    return drained;
  });
  // Node's server ends the connection after an answer whose Connection header says close. HTTP/2 has
  // no such header (Node refuses it): its sessions end with a GOAWAY when the server closes.
  app.addHook('onRequest', (req, reply, done) => {
    if (draining && req.raw.httpVersionMajor === 1) void reply.header('connection', 'close');
    done();
  });
}
