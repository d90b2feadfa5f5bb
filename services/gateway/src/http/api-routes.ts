import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, NotFoundError, UpstreamError } from '@marquee/core';
import { AccessTokenError, type AccessClaims } from '@marquee/users';
import type { ProfileOwnership, ProfileRecord } from '../app/profile-ownership.js';
import type { RateDecision, RateLimiter } from '../app/rate-limit.js';
import { matchRoute, normalisePath, type RouteRule } from '../app/routing.js';
import type { VerifiedTokens } from '../app/verified-tokens.js';
import type { GatewayConfig } from '../config.js';
import { checkDeclaredLength, jsonField, limitStream, readBounded } from './bodies.js';
import { forward } from './forward.js';
import type { HomeRows } from './home.js';
import type { GatewayMetrics } from './metrics.js';
import { sendProblem } from './problems.js';
import { upstreamFor, type Upstreams } from './upstreams.js';

/** JSON bodies of the API (everything but uploads). */
export const JSON_BODY_LIMIT = 1024 * 1024;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface ApiDeps {
  config: GatewayConfig;
  upstreams: Upstreams;
  verifier: Pick<VerifiedTokens, 'verify'>;
  rateLimiter: RateLimiter;
  ownership: ProfileOwnership;
  serviceToken: string;
  home: HomeRows;
  /** The admin console's health view. */
  health: () => Promise<unknown>;
  metrics: GatewayMetrics;
}

/** Everything under /api/ that the gateway does not answer itself goes through here. */
export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(async (api) => {
    // Bodies stay unread streams until the route is known: uploads pass through, JSON is bounded.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    api.route({
      method: METHODS,
      url: '/api/*',
      config: { openapi: false },
      handler: (req, reply) => handle(req, reply, deps),
    });
  });
}

async function handle(req: FastifyRequest, reply: FastifyReply, deps: ApiDeps): Promise<FastifyReply> {
  try {
    return await route(req, reply, deps);
  } catch (err) {
    if (err instanceof AccessTokenError) {
      return sendProblem(reply, err, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (err instanceof DomainError && err.code === 'unauthorized') {
      return sendProblem(reply, err, { 'www-authenticate': 'Bearer' });
    }
    if (err instanceof UpstreamError && err.code !== 'upstream.timeout') {
      const seconds =
        err.code === 'upstream.unavailable'
          ? Math.ceil(deps.config.upstream.breakerCooldownMs / 1000)
          : deps.config.retryAfterSeconds;
      return sendProblem(reply, err, { 'retry-after': String(seconds) });
    }
    throw err;
  }
}

async function route(req: FastifyRequest, reply: FastifyReply, deps: ApiDeps): Promise<FastifyReply> {
  const rawPath = req.url.split('?')[0] ?? '';
  const path = normalisePath(rawPath);
  if (path === undefined) throw new DomainError('bad_request', 'The request path is not acceptable');
  const match = matchRoute(req.method, path);
  if (!match) throw new NotFoundError('route', `${req.method} ${rawPath}`);
  const { rule, params } = match;

  const caller = await authenticate(req, rule, deps.verifier);
  if (caller) {
    const decision = await deps.rateLimiter.hit('perAccount', caller.accountId);
    if (!decision.allowed) return tooMany(reply, decision, deps.metrics);
  }
  if (rule.access === 'admin' && caller?.role !== 'admin') {
    throw new DomainError('forbidden', 'This needs the admin role');
  }
  let profile: ProfileRecord | undefined;
  if (params.profileId && caller)
    profile = await deps.ownership.requireOwned(caller.accountId, params.profileId);
  if (rule.kind === 'health') return reply.send(await deps.health());

  const body = await readBody(req, rule, deps.config);
  if (rule.kind === 'credentials') {
    const email = Buffer.isBuffer(body) ? jsonField(body, 'email') : undefined;
    const decision = await deps.rateLimiter.credentials(req.ip, email);
    if (!decision.allowed) return tooMany(reply, decision, deps.metrics);
    // Progressive slow-down: each attempt past the threshold waits longer before it is even tried.
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
  }
  if (rule.profileInBody && caller && Buffer.isBuffer(body)) {
    const profileId = jsonField(body, rule.profileInBody);
    if (profileId) await deps.ownership.requireOwned(caller.accountId, profileId);
  }
  if (rule.kind === 'home' && caller && profile) return deps.home.serve(req, reply, caller, profile);
  const upstream = upstreamFor(deps.upstreams, rule.upstream as Exclude<RouteRule['upstream'], 'gateway'>);
  return forward(req, reply, upstream, {
    body,
    caller,
    serviceToken: deps.serviceToken,
    publicOrigin: deps.config.publicOrigin,
    upload: rule.kind === 'upload',
    timeoutMs: rule.kind === 'upload' ? deps.config.uploadTimeoutMs : undefined,
  });
}

/** The verified claims, or undefined on public routes (and optional ones without a token). */
async function authenticate(
  req: FastifyRequest,
  rule: RouteRule,
  verifier: Pick<VerifiedTokens, 'verify'>,
): Promise<AccessClaims | undefined> {
  if (rule.access === 'public') return undefined;
  const header = req.headers.authorization;
  const token = typeof header === 'string' ? /^Bearer +([^\s]+)$/i.exec(header)?.[1] : undefined;
  if (!token) {
    if (rule.access === 'optional') return undefined;
    throw new DomainError('unauthorized', 'Sign in: this needs an access token (Authorization: Bearer …)');
  }
  return verifier.verify(token);
}

async function readBody(
  req: FastifyRequest,
  rule: RouteRule,
  config: GatewayConfig,
): Promise<Buffer | Readable | null> {
  const stream = req.body as Readable | undefined;
  if (!stream) return null;
  const contentLength = req.headers['content-length'];
  if (rule.kind === 'upload') {
    checkDeclaredLength(contentLength, config.uploadMaxBytes);
    return limitStream(stream, config.uploadMaxBytes);
  }
  checkDeclaredLength(contentLength, JSON_BODY_LIMIT);
  return readBounded(stream, JSON_BODY_LIMIT);
}

/** 429 problem+json with Retry-After. */
export function tooMany(reply: FastifyReply, decision: RateDecision, metrics: GatewayMetrics): FastifyReply {
  metrics.rateLimited.inc({ rule: decision.rule ?? 'unknown' });
  return sendProblem(
    reply,
    {
      code: 'rate_limited',
      detail: `Too many requests (${decision.rule ?? 'limit'}); retry in ${decision.retryAfterSeconds} s`,
      extra: { retryAfter: decision.retryAfterSeconds },
    },
    { 'retry-after': String(decision.retryAfterSeconds) },
  );
}
