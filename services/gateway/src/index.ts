import cors from '@fastify/cors';
import { join } from 'node:path';
import {
  createAccessTokenVerifier,
  createServiceServer,
  jwksFromUsers,
  serviceToken as deriveServiceToken,
  SessionRevocations,
  UpstreamError,
  type ServiceModule,
} from '@marquee/core';
import { ProfileOwnership, type ProfileLookup, type ProfileRecord } from './app/profile-ownership.js';
import { ProfileLockGuard, type ConfinementLookup } from './app/profile-locks.js';
import { CredentialBackoff } from './app/credential-backoff.js';
import { KnownDevices } from './app/known-devices.js';
import { RateLimiter } from './app/rate-limit.js';
import { rateLimitMetrics } from './app/rate-limit-metrics.js';
import { VerifiedAccessTokens } from './app/verified-access-tokens.js';
import { gatewayConfig, type GatewayDeps, type GatewayOptions } from './config.js';
import { apiRoutes, tooMany } from './http/api-routes.js';
import { ChaosReports } from './http/chaos-report.js';
import { EdgeTrust } from './http/edge-trust.js';
import { HomeRows } from './http/home.js';
import { gatewayMetrics, guardMetrics } from './http/metrics.js';
import { openApiRoute } from './http/openapi-route.js';
import { PosterDirectory } from './http/poster-directory.js';
import { adminHealth, platformReadiness } from './http/readiness-report.js';
import { createUpstreams, watchUpstreams, type UpstreamService } from './http/upstreams.js';
import { applySecurityHeaders, securityHeaders } from './http/security-headers.js';
import { webAppRoutes } from './http/web-app.js';
import { platformProblems } from '@marquee/platform';
import { gatewayProblems } from './app/problems.js';

export { DEFAULT_TUNING, type GatewayDeps, type GatewayOptions, type GatewayTuning } from './config.js';
export { DEFAULT_RATE_LIMITS, type BackoffRule, type RateLimitRules } from './app/rate-limit.js';
export { DEVICE_COOKIE } from './app/known-devices.js';
export { ConcurrencyLimiter, Gradient2Limit, type Gradient2Options } from './app/concurrency-limit.js';

/** Headers a browser may send cross-origin and read back: the API's and tus 1.0's. */
const TUS_HEADERS = [
  'tus-resumable',
  'upload-length',
  'upload-offset',
  'upload-metadata',
  'upload-defer-length',
];

/**
 * The gateway: the one public entry point. Routes /api/* to the owning service (verifying access
 * tokens itself, checking profile ownership, rate limiting, shedding load per upstream), aggregates
 * /readyz and /api/openapi.json, and serves the web app.
 *
 * @example
 *   const gateway = await buildGateway(ctx);
 *   await gateway.app.listen({ port: 8080 });
 *   await gateway.start();
 */
export async function buildGateway(deps: GatewayDeps, options: GatewayOptions = {}): Promise<ServiceModule> {
  const config = gatewayConfig(deps, options);
  const serviceToken = deriveServiceToken(deps.secret);
  const upstreams = createUpstreams(config, serviceToken);

  let keysLoaded = false;
  const jwtVerifier = createAccessTokenVerifier({
    fetchJwks: async () => {
      if (!upstreams.users)
        throw new UpstreamError('upstream.unavailable', 'users', 'users is not configured');
      const keys = await jwksFromUsers(upstreams.users.client)();
      keysLoaded = true;
      return keys;
    },
  });
  const verifier = new VerifiedAccessTokens((token) => jwtVerifier.verify(token));
  const edgeTrust = new EdgeTrust(deps.logger, options.edgeCa);
  const gatewaySelfReady = async () =>
    keysLoaded ||
    jwtVerifier.refresh().then(
      () => true,
      () => false,
    );
  const readiness = platformReadiness(config, gatewaySelfReady, edgeTrust);

  const { app, metrics } = createServiceServer({
    name: 'gateway',
    problems: [platformProblems, gatewayProblems],
    logger: deps.logger,
    readinessReport: () => readiness.report(),
    // /readyz/self, the Kubernetes readiness probe: this gateway can verify tokens (shutdown answers 503).
    readiness: {
      signingKeys: async () => (await gatewaySelfReady()) || 'signing keys not loaded from users',
    },
    fastify: { trustProxy: config.trustProxy },
    // No AsyncLocalStorage: on Node 20 its promise hooks run on every promise of the process, a share of
    // a proxy's CPU the profile showed (bench/gateway). Forwarded calls carry req.id in their headers
    // (forwarding.ts); the shared, cached lookups (profiles, confinement, posters, keys) belong to no one
    // request and go without one.
    correlation: 'explicit',
  });
  const counters = gatewayMetrics(metrics.registry, upstreams);
  guardMetrics(app, config.metricsToken);

  applySecurityHeaders(app, securityHeaders(config));
  // Same-origin needs no CORS; with no origin configured the plugin (and its per-request hook) stays out.
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', ...TUS_HEADERS],
      exposedHeaders: [
        'location',
        'retry-after',
        'x-request-id',
        ...TUS_HEADERS,
        'tus-version',
        'tus-max-size',
      ],
      maxAge: 600,
    });
  }

  const rateLimiter = new RateLimiter(deps.cache, config.rateLimits);
  rateLimitMetrics(metrics.registry, rateLimiter);
  // A callback hook, not an async one: the authenticated call (nearly all) passes with no promise.
  app.addHook('onRequest', (req, reply, done) => {
    // Authenticated calls count per account once their token verifies (api-routes.ts), so a whole
    // carrier-grade NAT of viewers is never one bucket; only what carries no token counts per address.
    if (req.headers.authorization !== undefined || !req.url.startsWith('/api/')) return done();
    rateLimiter.hit('perAddress', req.ip).then(
      (decision) => {
        if (decision.allowed) done();
        else void tooMany(reply, decision, counters); // answered: the request goes no further
      },
      (err: unknown) => done(err as Error),
    );
  });

  openApiRoute(app, upstreams);
  await apiRoutes(app, {
    config,
    upstreams,
    verifier,
    revocations: new SessionRevocations(deps.cache),
    rateLimiter,
    credentialBackoff: new CredentialBackoff(deps.cache, config.rateLimits.credentialBackoff),
    knownDevices: new KnownDevices(deps.secret, config.https),
    ownership: new ProfileOwnership(deps.cache, profileLookup(upstreams.users), config.profileOwnerTtlMs),
    profileLocks: new ProfileLockGuard({
      cache: deps.cache,
      lookup: confinementLookup(upstreams.users),
      secret: deps.secret,
      ttlMs: CONFINEMENT_TTL_MS,
    }),
    serviceToken,
    home: new HomeRows({
      upstreams,
      cache: deps.cache,
      logger: deps.logger,
      serviceToken,
      timeoutMs: config.homeTimeoutMs,
      posters: new PosterDirectory({
        streaming: upstreams.streaming,
        logger: deps.logger,
        ...config.homePosters,
      }),
    }),
    health: () => adminHealth(readiness, upstreams),
    chaosReports: new ChaosReports(join(deps.settings.MARQUEE_DATA_DIR, 'chaos')),
    metrics: counters,
  });
  webAppRoutes(app, config.webDir);

  return {
    name: 'gateway',
    app,
    async start() {
      watchUpstreams(upstreams, config, deps.logger);
      // Fetch the signing keys now so the first viewer does not wait; users may still be starting.
      await jwtVerifier
        .refresh()
        .catch((err: unknown) => deps.logger.warn({ err }, 'signing keys not loaded yet'));
    },
    async stop() {
      await Promise.all([...Object.values(upstreams).map((u) => u.client.close()), edgeTrust.close()]);
    },
  };
}

/**
 * Users deletes a session's cached confinement when it changes, so this only bounds how long an entry
 * stays: a longer life would save little (one lookup per device) and keep ended sessions around.
 */
const CONFINEMENT_TTL_MS = 10 * 60_000;

/** The kids profile a session is confined to, from users (profile locks); a 4xx means none. */
function confinementLookup(users: UpstreamService | undefined): ConfinementLookup {
  return async (sessionId) => {
    if (!users) throw new UpstreamError('upstream.unavailable', 'users', 'users is not configured');
    const res = await users.request<{ profileId: string | null }>(
      'GET',
      `/internal/sessions/${encodeURIComponent(sessionId)}/confinement`,
    );
    if (res.status >= 400 && res.status < 500) return null;
    if (res.status !== 200) {
      throw new UpstreamError('upstream.unavailable', 'users', `users answered ${res.status} for a session`);
    }
    return res.body.profileId ?? null;
  };
}

/** Profiles by id from users' internal API; any 4xx means "no such profile" for the ownership check. */
function profileLookup(users: UpstreamService | undefined): ProfileLookup {
  return async (profileId) => {
    if (!users) throw new UpstreamError('upstream.unavailable', 'users', 'users is not configured');
    const res = await users.request<ProfileRecord>(
      'GET',
      `/internal/profiles/${encodeURIComponent(profileId)}`,
    );
    if (res.status >= 400 && res.status < 500) return null;
    if (res.status !== 200) {
      throw new UpstreamError('upstream.unavailable', 'users', `users answered ${res.status} for a profile`);
    }
    const { accountId, kids, maxMaturity, lockedAt } = res.body;
    return { profileId, accountId, kids, maxMaturity, lockedAt: lockedAt ?? null };
  };
}
