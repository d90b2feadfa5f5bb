import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AccessTokenError,
  DomainError,
  NotFoundError,
  UpstreamError,
  type SessionRevocations,
} from '@marquee/core';
import type { AccessClaims } from '@marquee/contracts';
import { outcomeOf, type CredentialAttempt, type CredentialBackoff } from '../app/credential-backoff.js';
import type { KnownDevices } from '../app/known-devices.js';
import { verifiedProfile, type ProfileOwnership, type ProfileRecord } from '../app/profile-ownership.js';
import type { ProfileLockGuard } from '../app/profile-locks.js';
import { emailKey, type RateDecision, type RateLimiter } from '../app/rate-limit.js';
import { matchRoute, normalisePath, type RouteRule } from '../app/routing.js';
import type { VerifiedAccessTokens } from '../app/verified-access-tokens.js';
import type { GatewayConfig } from '../config.js';
import { checkDeclaredLength, jsonField, limitStream, readBounded } from './bodies.js';
import { chaosReportSchema, type ChaosReports } from './chaos-report.js';
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
  verifier: Pick<VerifiedAccessTokens, 'verify'>;
  /** Sessions ended since their tokens were issued (logout, password change…): refused at once. */
  revocations: Pick<SessionRevocations, 'assertLive'>;
  rateLimiter: RateLimiter;
  credentialBackoff: CredentialBackoff;
  knownDevices: KnownDevices;
  ownership: ProfileOwnership;
  /** Profile PINs and kids-profile confinement (app/profile-locks.ts). */
  profileLocks: Pick<ProfileLockGuard, 'check'>;
  serviceToken: string;
  home: HomeRows;
  /** The admin console's health view. */
  health: () => Promise<unknown>;
  /** The latest chaos experiment's report, for the admin console. */
  chaosReports: Pick<ChaosReports, 'latest'>;
  metrics: GatewayMetrics;
}

/** Everything under /api/ that the gateway does not answer itself goes through here. */
export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(async (api) => {
    // Bodies stay unread streams until the route is known: uploads pass through, JSON is bounded.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    // Declared on its own only to be documented: it is answered through the routing table like the rest.
    api.get('/api/admin/chaos', { schema: chaosReportSchema }, (req, reply) => handle(req, reply, deps));
    api.route({
      method: METHODS,
      url: '/api/*',
      config: { openapi: false },
      handler: (req, reply) => handle(req, reply, deps),
    });
  });
}

async function handle(req: FastifyRequest, reply: FastifyReply, deps: ApiDeps): Promise<FastifyReply> {
  const caller: { claims?: AccessClaims } = {};
  try {
    return await route(req, reply, deps, caller);
  } catch (err) {
    // A request that sent a token but was refused before it verified is unauthenticated: it counts
    // against its address (the onRequest hook skipped it because it carried a token).
    if (!caller.claims && req.headers.authorization !== undefined) {
      const decision = await deps.rateLimiter.hit('perAddress', req.ip);
      if (!decision.allowed) return tooMany(reply, decision, deps.metrics);
    }
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

async function route(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  authenticated: { claims?: AccessClaims },
): Promise<FastifyReply> {
  const rawPath = req.url.split('?')[0] ?? '';
  const path = normalisePath(rawPath);
  if (path === undefined) throw new DomainError('bad_request', 'The request path is not acceptable');
  const match = matchRoute(req.method, path);
  if (!match) throw new NotFoundError('route', `${req.method} ${rawPath}`);
  const { rule, params } = match;

  const caller = await authenticate(req, rule, deps.verifier);
  if (caller) {
    // The revocation read and the account's counter are independent cache calls: made together, the
    // revocation check adds no round trip to the request's latency on Redis (bench/gateway/revocation-cost.ts).
    const [, decision] = await Promise.all([
      assertSessionLive(req, caller, deps.revocations),
      isUploadInProgress(req.method, rule) ? undefined : deps.rateLimiter.hit('perAccount', caller.accountId),
    ]);
    // Only a live session's caller is authenticated: an ended one counts against its address.
    authenticated.claims = caller;
    if (decision && !decision.allowed) return tooMany(reply, decision, deps.metrics);
  } else if (!caller && req.headers.authorization !== undefined) {
    // A public route called with a token it does not look at: still unauthenticated traffic.
    const decision = await deps.rateLimiter.hit('perAddress', req.ip);
    if (!decision.allowed) return tooMany(reply, decision, deps.metrics);
  }
  if (rule.access === 'admin' && caller?.role !== 'admin') {
    throw new DomainError('forbidden', 'This needs the admin role');
  }
  let profile: ProfileRecord | undefined;
  if (params.profileId && caller)
    profile = await deps.ownership.requireOwned(caller.accountId, params.profileId);
  if (rule.kind === 'health') return reply.send(await deps.health());
  if (rule.kind === 'chaos') return reply.send(await deps.chaosReports.latest());

  const body = await readBody(req, rule, deps.config);
  let attempt: CredentialAttempt | undefined;
  /** The account a successful credential check makes this browser a known device of. */
  let device: string | undefined;
  if (rule.kind === 'credentials') {
    const decision = await deps.rateLimiter.hit('credentialsPerAddress', req.ip);
    if (!decision.allowed) return tooMany(reply, decision, deps.metrics);
    // Progressive slow-down: each attempt past the threshold waits longer before it is even tried.
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    const subject = credentialSubject(req, path, body, caller, deps.knownDevices);
    if (subject.backoff) {
      attempt = await deps.credentialBackoff.begin(subject.backoff);
      if (!attempt.allowed) {
        const refusal = { allowed: false, delayMs: 0, retryAfterSeconds: attempt.retryAfterSeconds };
        return tooMany(reply, { ...refusal, rule: 'credentialBackoff' }, deps.metrics);
      }
    }
    device = subject.device;
  }
  if (rule.profileInBody && caller && Buffer.isBuffer(body)) {
    const profileId = jsonField(body, rule.profileInBody);
    if (profileId) profile = await deps.ownership.requireOwned(caller.accountId, profileId);
  }
  if (caller) {
    const check = { method: req.method, path, sessionId: caller.sessionId, profile, headers: req.headers };
    await deps.profileLocks.check(check).catch(async (err: unknown) => {
      // A refused request never reached a credential check: give the try back.
      if (attempt?.allowed) await attempt.finish('other');
      throw err;
    });
  }
  if (rule.kind === 'home' && caller && profile) return deps.home.serve(req, reply, caller, profile);
  const upstream = upstreamFor(deps.upstreams, rule.upstream as Exclude<RouteRule['upstream'], 'gateway'>);
  let answered: FastifyReply;
  try {
    answered = await forward(req, reply, upstream, {
      body,
      caller,
      // The profile checked above goes on with the identity: streaming then decides a playback start
      // (kids, maturity ceiling) without asking users for the same profile again.
      profile: profile && verifiedProfile(profile),
      serviceToken: deps.serviceToken,
      publicOrigin: deps.config.publicOrigin,
      upload: rule.kind === 'upload',
      timeoutMs: rule.kind === 'upload' ? deps.config.uploadTimeoutMs : undefined,
      releases: rule.releases === true,
      ...(device === undefined ? {} : { answerHeaders: knownDeviceCookie(req, device, deps.knownDevices) }),
    });
  } catch (err) {
    if (attempt?.allowed) await attempt.finish('other');
    throw err;
  }
  if (attempt?.allowed) await attempt.finish(outcomeOf(reply.statusCode));
  return answered;
}

/**
 * A browser that passed a credential check becomes a known device of that account (known-devices.ts):
 * its cookie goes on a 2xx answer, keeping the device id it already had.
 */
function knownDeviceCookie(
  req: FastifyRequest,
  subject: string,
  devices: KnownDevices,
): (status: number) => Record<string, string> | undefined {
  return (status) =>
    status >= 200 && status < 300
      ? { 'set-cookie': devices.cookie(subject, devices.deviceIdOf(req.headers.cookie)) }
      : undefined;
}

/**
 * Whose failures a credential check counts against. Login: the target account's email (normalised as
 * users does), or that email on this known device; password change: the caller's account. Sign-up
 * checks no credential, so only its address limit applies; it makes the browser a known device.
 * Password reset (request and use) counts per address only.
 */
function credentialSubject(
  req: FastifyRequest,
  path: string,
  body: Buffer | Readable | null,
  caller: AccessClaims | undefined,
  devices: KnownDevices,
): { backoff?: string; device?: string } {
  if (caller) return { backoff: `account:${caller.accountId}` };
  // Password reset checks no password: only its address limit applies (users caps mails per account),
  // and its answer, the same for every email, must never make a browser a known device of one.
  if (path.startsWith('/api/auth/password-reset')) return {};
  const email = Buffer.isBuffer(body) ? jsonField(body, 'email') : undefined;
  if (email === undefined) return {};
  const account = `email:${emailKey(email)}`;
  if (path === '/api/auth/signup') return { device: account };
  const deviceId = devices.identify(req.headers.cookie, account);
  return { backoff: deviceId ? `${account}:device:${deviceId}` : account, device: account };
}

/** tus PATCH/HEAD of an upload that exists: a big upload sends hundreds and must never stop half-way. */
function isUploadInProgress(method: string, rule: RouteRule): boolean {
  return rule.kind === 'upload' && (method === 'PATCH' || method === 'HEAD');
}

/** The verified claims, or undefined on public routes (and optional ones without a token). */
async function authenticate(
  req: FastifyRequest,
  rule: RouteRule,
  verifier: Pick<VerifiedAccessTokens, 'verify'>,
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

/**
 * The revocation check reads one cache key per authenticated request (no call to users). If the cache
 * cannot answer, the request goes on (fail-open, logged): refusing every signed-in viewer while Redis
 * is away would be an outage, and the worst case is the old bound, a token's 15-minute life.
 */
async function assertSessionLive(
  req: FastifyRequest,
  claims: AccessClaims,
  revocations: Pick<SessionRevocations, 'assertLive'>,
): Promise<void> {
  try {
    await revocations.assertLive(claims.sessionId);
  } catch (err) {
    if (err instanceof AccessTokenError) throw err;
    req.log.warn({ err }, 'session revocation check failed; letting the request through');
  }
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
