import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BalancingStrategy } from '@marquee/core';
import type { ServiceContext } from '@marquee/platform';
import type { BacklogOptions, Gradient2Options } from './app/concurrency-limit.js';
import { DEFAULT_RATE_LIMITS, type RateLimitRules } from './app/rate-limit.js';
import { originsOf } from './app/security-policy.js';

/** What the composition root hands the gateway. */
export type GatewayDeps = Pick<ServiceContext, 'settings' | 'logger' | 'secret' | 'cache' | 'urls'>;

/** Per-upstream resilience: every upstream call goes through these. */
export interface UpstreamTuning {
  /** Time for an upstream's answer to start (and between body chunks). */
  timeoutMs: number;
  retries: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  balancing: BalancingStrategy;
  /** Background /healthz probe of every instance; a failing instance is ejected until it recovers. */
  healthCheckIntervalMs: number;
}

export interface GatewayTuning {
  rateLimits: RateLimitRules;
  /** The adaptive concurrency limit of each upstream, and the short wait allowed at it. */
  concurrency: Gradient2Options & { backlog?: BacklogOptions };
  upstream: UpstreamTuning;
  /** The recommender's budget for a home page before the fallback rows are served. */
  homeTimeoutMs: number;
  /** Home row posters: how long a title's poster URL is reused, and the budget to ask streaming. */
  homePosters: { ttlMs: number; timeoutMs: number };
  /** Uploads stream for as long as they take; this bounds the wait for storage between chunks and at the end. */
  uploadTimeoutMs: number;
  /** Per-instance /readyz probe budget when aggregating readiness. */
  readinessTimeoutMs: number;
  /**
   * How long a profile's record is cached (ownership checks on every profile path). Its maturity ceiling
   * and kids flag go on to streaming with a playback start, so this bounds how soon a changed ceiling
   * applies to Play: no longer than streaming's own profile cache (10 s) bounded it before.
   */
  profileOwnerTtlMs: number;
  /** Seconds clients are told to wait after a 503 from shedding or an open breaker. */
  retryAfterSeconds: number;
  /** Fastify trustProxy: set when a load balancer in front sets X-Forwarded-For (else the socket address counts). */
  trustProxy: boolean | string | string[];
}

export interface GatewayOptions {
  tuning?: {
    [K in keyof GatewayTuning]?: GatewayTuning[K] extends object
      ? Partial<GatewayTuning[K]>
      : GatewayTuning[K];
  };
  /** Built web app to serve (default: <repo>/web/dist). */
  webDir?: string;
  /** Public origins of the edges for the CSP, when they differ from the edge URLs the gateway probes. */
  edgeOrigins?: readonly string[];
  /**
   * The certificate edges with TLS present, trusted for edge probes only (see EdgeTrust).
   * @example { edgeCa: () => readFile('data/edge-tls/cert.pem') }
   */
  edgeCa?: () => Promise<Buffer | string | undefined>;
}

export const DEFAULT_TUNING: GatewayTuning = {
  rateLimits: DEFAULT_RATE_LIMITS,
  // The backlog absorbs bursts (a GC pause or a batch of event handlers in a co-located service makes
  // every in-flight call slow at once) that would otherwise shed requests an idle moment later; 50 ms
  // is well inside any client's patience and far below the upstream timeout.
  concurrency: {
    initialLimit: 50,
    minLimit: 20,
    maxLimit: 1_000,
    backlog: { size: 200, timeoutMs: 50 },
  },
  upstream: {
    timeoutMs: 10_000,
    retries: 2,
    breakerThreshold: 5,
    breakerCooldownMs: 5_000,
    balancing: 'least-outstanding',
    healthCheckIntervalMs: 3_000,
  },
  homeTimeoutMs: 300,
  // A poster URL changes when streaming's best edge does (and daily with its token, which stays valid
  // until the end of tomorrow): 30 s bounds how long home rows point at an edge that died.
  homePosters: { ttlMs: 30_000, timeoutMs: 150 },
  uploadTimeoutMs: 10 * 60_000,
  readinessTimeoutMs: 1_000,
  profileOwnerTtlMs: 10_000,
  retryAfterSeconds: 1,
  trustProxy: false,
};

export interface GatewayConfig extends GatewayTuning {
  secret: string;
  urls: GatewayDeps['urls'];
  corsOrigins: string[];
  uploadMaxBytes: number;
  /** The origin clients use, when configured; else each request's own Host. */
  publicOrigin?: string;
  edgeOrigins: string[];
  webDir: string;
  /** HSTS only makes sense when the public URL is https. */
  https: boolean;
  /** Bearer token a scraper presents for the gateway's /metrics; unset: no /metrics on the public port. */
  metricsToken?: string;
}

/** The rate limits the operator sets (README: RATE_LIMIT_*, AUTH_*); tuning options override them in tests. */
export function rateLimitsFromSettings(settings: GatewayDeps['settings']): RateLimitRules {
  const perAddress = settings.RATE_LIMIT_CREDENTIALS_PER_ADDRESS;
  return {
    ...DEFAULT_RATE_LIMITS,
    perAddress: { limit: settings.RATE_LIMIT_ADDRESS_PER_MINUTE, windowMs: 60_000 },
    perAccount: { limit: settings.RATE_LIMIT_ACCOUNT_PER_MINUTE, windowMs: 60_000 },
    credentialsPerAddress: {
      limit: perAddress,
      windowMs: 15 * 60_000,
      slowAfter: Math.ceil(perAddress / 2),
    },
    credentialBackoff: {
      ...DEFAULT_RATE_LIMITS.credentialBackoff,
      freeFailures: settings.AUTH_FREE_FAILURES,
      maxDelayMs: settings.AUTH_BACKOFF_MAX_SECONDS * 1000,
    },
  };
}

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

export function gatewayConfig(deps: GatewayDeps, options: GatewayOptions = {}): Readonly<GatewayConfig> {
  const t = options.tuning ?? {};
  const publicUrl = deps.settings.MARQUEE_PUBLIC_URL;
  return Object.freeze({
    ...DEFAULT_TUNING,
    ...t,
    rateLimits: { ...rateLimitsFromSettings(deps.settings), ...t.rateLimits },
    concurrency: { ...DEFAULT_TUNING.concurrency, ...t.concurrency },
    upstream: { ...DEFAULT_TUNING.upstream, ...t.upstream },
    homePosters: { ...DEFAULT_TUNING.homePosters, ...t.homePosters },
    secret: deps.secret,
    urls: deps.urls,
    corsOrigins: deps.settings.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    uploadMaxBytes: deps.settings.UPLOAD_MAX_BYTES,
    ...(publicUrl ? { publicOrigin: new URL(publicUrl).origin } : {}),
    edgeOrigins: originsOf([...(deps.urls.edge ?? []), ...(options.edgeOrigins ?? [])]),
    webDir: options.webDir ?? resolve(repoRoot, 'web/dist'),
    https: publicUrl?.startsWith('https:') ?? false,
    ...(deps.settings.METRICS_TOKEN ? { metricsToken: deps.settings.METRICS_TOKEN } : {}),
  });
}
