import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import {
  createMediaKeyring,
  createServiceServer,
  MAX_MEDIA_TOKEN_LIFETIME_MS,
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  serviceToken,
  settingsOf,
  type ServiceModule,
} from '@marquee/core';
import type { FastifyServerOptions } from 'fastify';
import { Gauge } from 'prom-client';
import { platformProblems, type ServiceContext } from '@marquee/platform';
import { AssetPlaylists } from './cache/asset-playlists.js';
import { TinyLfuAdmission } from './cache/admission.js';
import { PopularityReplacement, ViewingPopularity } from './cache/viewing-popularity.js';
import { DiskTier } from './cache/disk-tier.js';
import { MediaCache } from './cache/media-cache.js';
import { RamTier } from './cache/ram-tier.js';
import { defaultSteeringBaseUrl, resolveEdgeIdentity, type EdgeIdentity } from './edge-identity.js';
import { createEdgeMetrics } from './edge-metrics.js';
import { answerClientErrors } from './http/client-errors.js';
import { mediaAnswerer, SECURITY_HEADERS } from './http/media-answer.js';
import { createEdgeH2Server, type EdgeListener } from './http/h2-server.js';
import { LeanResponder } from './http/lean-responder.js';
import { mediaFastPath, mediaRoutes } from './http/media-routes.js';
import { Prefill } from './jobs/prefill.js';
import { SteeringReporter } from './jobs/steering-reporter.js';
import { LoadGauge } from './load-gauge.js';
import { RevokedSessions } from './app/revoked-sessions.js';
import { VerifiedMediaTokens } from './app/verified-media-tokens.js';
import { SessionRevocations } from './jobs/session-revocations.js';
import { HttpOrigin, type Origin } from './origin/http-origin.js';
import { contentKeysFrom } from './origin/content-keys.js';
import { CertificateReloader, checkPair, type SecureContextTarget } from './certificate-reload.js';
import { loadEdgeTls } from './tls.js';
import { edgeSettings } from './settings.js';
import { edgeProblems } from './app/problems.js';

export { parseMediaPath } from './app/media-path.js';
export { buildSessionMaster } from './app/session-master.js';
export { MEDIA_REFUSALS } from './app/access.js';
export { loadEdgeTrustAnchor } from './tls.js';

export interface EdgeOptions {
  /** Fixes the identity instead of deriving it from the listen port (tests, benchmarks). */
  identity?: EdgeIdentity;
  /** Fill from this origin instead of storage's HTTP origin (tests). */
  origin?: Origin;
  /** Overrides EDGE_RAM_BYTES / EDGE_DISK_BYTES. */
  ramBytes?: number;
  diskBytes?: number;
  /** Turns off reporting to streaming and pre-fill (benchmarks). */
  standalone?: boolean;
  /**
   * Which objects the full disk tier keeps (benchmarks compare them): `popularity` (default) replaces
   * the least wanted by viewing popularity (cache/viewing-popularity.ts), `tinylfu` admits a fill over
   * LRU's victims by TinyLFU, `lru` keeps every fill.
   */
  diskPolicy?: 'popularity' | 'tinylfu' | 'lru';
}

/**
 * Sizes the admission sketch from the disk budget. Small on purpose (a low rung's segment, a
 * playlist): too many counters cost a few bytes each, too few blur the frequencies of what is held.
 */
const TYPICAL_OBJECT_BYTES = 64 * 1024;

/**
 * An edge node of the CDN: signed-URL checks, a RAM tier and a disk tier in front of storage's origin,
 * per-session master playlists with Content Steering, proactive fill and reports to steering.
 * Several edges can run in one process (monolithic mode runs two); each finds out which one it is
 * once it listens, so everything that depends on its identity happens in start().
 */
export async function buildEdge(ctx: ServiceContext, options: EdgeOptions = {}): Promise<ServiceModule> {
  const { settings, logger } = ctx;
  const ownSettings = settingsOf(edgeSettings, settings);
  const tls = await loadEdgeTls(settings, ctx.dataDir);
  // The server answers media GETs itself (mediaFastPath) and hands everything else to Fastify.
  // HTTP/2 needs TLS (browsers speak it only over TLS, negotiated by ALPN).
  const http2 = tls !== undefined && ownSettings.EDGE_HTTP2;
  const serverFactory = (
    fastify: (req: IncomingMessage, res: ServerResponse) => void,
    opts: FastifyServerOptions,
  ) => {
    // An HTTP/2 request comes with Node's compatibility request and response, which both paths use
    // as they use http's (url, method, headers; writeHead and end).
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      // fastPath is defined below, before the server can listen.
      if (!fastPath(req, res)) fastify(req, res);
    };
    const keepAliveMs = opts.keepAliveTimeout ?? 72_000;
    const server: HttpServer = !tls
      ? createHttpServer(listener)
      : http2
        ? (createEdgeH2Server(tls, keepAliveMs, listener as EdgeListener) as unknown as HttpServer)
        : createHttpsServer({ cert: tls.cert, key: tls.key }, listener);
    // What Fastify would have set on a server it made itself.
    server.keepAliveTimeout = keepAliveMs;
    server.requestTimeout = opts.requestTimeout ?? 0;
    answerClientErrors(server);
    // EDGE_LEAN_HTTP=false: the server stays as Node made it, every connection Node's (the fallback
    // should the hand-written responder ever misread a request; media then takes mediaFastPath).
    if (!ownSettings.EDGE_LEAN_HTTP) return server;
    // New connections meet the lean responder first (lean-responder.ts); it hands anything that is
    // not a media GET/HEAD to Node's own connection listener, taken off the server here. A TLS
    // connection that negotiated h2 goes straight to Node's HTTP/2 session.
    const event = tls ? 'secureConnection' : 'connection';
    const [nodeListener, ...others] = server.listeners(event) as ((socket: Socket) => void)[];
    if (nodeListener && others.length === 0) {
      server.removeListener(event, nodeListener);
      server.on(event, (socket: Socket) => {
        if (lean && (socket as TLSSocket).alpnProtocol !== 'h2') lean.accept(socket);
        else nodeListener.call(server, socket);
      });
      const closeIdle = server.closeIdleConnections.bind(server);
      const closeAll = server.closeAllConnections.bind(server);
      server.closeIdleConnections = () => {
        lean?.closeIdle();
        closeIdle();
      };
      server.closeAllConnections = () => {
        lean?.closeAll();
        closeAll();
      };
      handOff = (socket) => nodeListener.call(server, socket);
    } else {
      logger.warn('Node’s HTTP server is not shaped as expected: media is served through Node alone');
    }
    return server;
  };
  let lean: LeanResponder | undefined;
  let handOff: ((socket: Socket) => void) | undefined;
  const {
    app,
    metrics: serviceMetrics,
    addReadiness,
  } = createServiceServer({
    name: 'edge',
    problems: [platformProblems, edgeProblems],
    logger,
    fastify: { serverFactory } as Partial<FastifyServerOptions>,
  });
  // Answers Fastify gives (metrics, health, preflights, its 404s) carry them too; media answers have them.
  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    done(null, payload);
  });
  let closing = false;
  app.addHook('preClose', () => {
    closing = true; // Fastify answers 503 while closing; the fast path steps aside so it can.
  });
  const ram = new RamTier(options.ramBytes ?? ownSettings.EDGE_RAM_BYTES);
  let disk: DiskTier | undefined;
  const metrics = createEdgeMetrics(serviceMetrics.registry, {
    ram: () => ram,
    disk: () => disk ?? { bytes: 0, count: 0 },
  });
  const origin = options.origin ?? new HttpOrigin({ baseUrls: ctx.urls.storage, secret: ctx.secret });
  // Without streaming (a standalone edge) nothing reports or pre-fills; the edge still serves.
  const streaming =
    options.standalone || ctx.urls.streaming.length === 0
      ? undefined
      : new ServiceClient({
          service: 'streaming',
          baseUrls: ctx.urls.streaming,
          headers: { [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret) },
          timeoutMs: 2_000,
        });
  const load = new LoadGauge();
  let cache: MediaCache | undefined;
  let playlists: AssetPlaylists | undefined;
  let reporter: SteeringReporter | undefined;
  let prefill: Prefill | undefined;
  let revocations: SessionRevocations | undefined;
  let identity = options.identity;
  let certificates: CertificateReloader | undefined;
  const revoked = new RevokedSessions(MAX_MEDIA_TOKEN_LIFETIME_MS);

  const answer = mediaAnswerer({
    tokens: new VerifiedMediaTokens(createMediaKeyring({ secret: ctx.secret }), revoked),
    tiers: () => (cache && playlists ? { cache, playlists } : undefined),
    metrics,
    load,
    logger,
    peers: () => reporter?.peers() ?? (identity ? [identity] : []),
    steeringBaseUrl: () => reporter?.steeringBaseUrl ?? defaultSteeringBaseUrl(settings),
    ...(streaming ? { contentKeys: contentKeysFrom(streaming) } : {}),
  });
  mediaRoutes(app, answer);
  const fastPath = mediaFastPath(
    answer,
    serviceMetrics,
    () => closing,
    () => app.draining,
  );
  if (handOff) {
    lean = new LeanResponder({
      answer,
      metrics: serviceMetrics,
      closing: () => closing,
      draining: () => app.draining,
      handOff,
      server: app.server,
    });
  }
  addReadiness('cache', () => cache !== undefined || 'cache tiers not loaded yet');

  return {
    name: 'edge',
    app,
    async start() {
      const port = (app.server.address() as AddressInfo | null)?.port ?? 0;
      identity ??= resolveEdgeIdentity({ settings, edgeUrls: ctx.urls.edge, port, tls: tls !== undefined });
      const edgeLogger = logger.child({ edgeId: identity.edgeId });
      const diskBytes = options.diskBytes ?? ownSettings.EDGE_DISK_BYTES;
      const diskPolicy = options.diskPolicy ?? 'popularity';
      const viewing = new ViewingPopularity();
      disk = new DiskTier(join(ctx.dataDir, `edge-${identity.edgeId}`), diskBytes, edgeLogger, {
        onCorrupt: () => metrics.diskCorrupt.inc(),
        ...(diskPolicy === 'popularity' ? { replacement: new PopularityReplacement(viewing) } : {}),
        ...(diskPolicy === 'tinylfu'
          ? { admission: new TinyLfuAdmission(Math.ceil(diskBytes / TYPICAL_OBJECT_BYTES)) }
          : {}),
        onAdmission: (admitted) => metrics.diskAdmissions.inc({ result: admitted ? 'admitted' : 'rejected' }),
      });
      await disk.open();
      if (tls) {
        const expiry = new Gauge({
          name: 'edge_tls_certificate_expiry_timestamp_seconds',
          help: 'When the certificate the edge serves expires (Unix seconds); alert well before it',
          registers: [serviceMetrics.registry],
        });
        const served = (validTo: Date) => expiry.set(validTo.getTime() / 1000);
        served(checkPair(tls.cert, tls.key));
        certificates = new CertificateReloader({
          server: app.server as unknown as SecureContextTarget,
          certPath: tls.certPath,
          keyPath: tls.keyPath,
          logger: edgeLogger,
          onLoaded: served,
        });
        await certificates.start();
      }
      if (!options.standalone) {
        // Its consumer group resumes where it left off (or reads the history, for a new edge).
        revocations = new SessionRevocations({ edgeId: identity.edgeId, bus: ctx.bus, revoked });
        await revocations.start();
      }
      const tiered = new MediaCache(
        ram,
        disk,
        origin,
        metrics,
        edgeLogger,
        diskPolicy === 'popularity' ? viewing : undefined,
      );
      playlists = new AssetPlaylists(tiered);
      if (!streaming) {
        edgeLogger.warn(
          'no streaming service configured: this edge neither reports to steering nor pre-fills',
        );
      } else {
        reporter = new SteeringReporter({
          identity,
          streaming,
          load: () => load.read(),
          heldAssets: (limit) => tiered.heldAssets(limit),
          hitRatio: () => metrics.hitRatios(),
          // From the drain on (shutting down) the edge reports itself unhealthy: steering moves off it.
          healthy: () => app.server.listening && !app.draining,
          logger: edgeLogger,
          defaultSteeringBaseUrl: defaultSteeringBaseUrl(settings),
        });
        reporter.start();
        prefill = new Prefill({
          edgeId: identity.edgeId,
          bus: ctx.bus,
          cache: tiered,
          playlists,
          streaming,
          logger: edgeLogger,
        });
        await prefill.start();
      }
      cache = tiered;
      edgeLogger.info({ url: identity.url }, 'edge serving');
    },
    async stop() {
      certificates?.stop();
      await reporter?.stop();
      await prefill?.stop();
      await revocations?.stop();
      await cache?.settle();
      await Promise.all([origin.close(), streaming?.close()]);
    },
  };
}
