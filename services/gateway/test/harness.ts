import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import {
  createLogger,
  loadSettings,
  SERVICE_TOKEN_HEADER,
  serviceToken,
  type Logger,
  type ServiceModule,
  type ServiceName,
} from '@marquee/core';
import { type Cache } from '@marquee/platform';
import { openTestCache } from '@marquee/platform/testing';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@marquee/contracts';
import { buildGateway, type GatewayOptions } from '../src/index.js';

export const SECRET = 'gateway-test-secret-0123456789abcdef';
export const SERVICE_TOKEN = serviceToken(SECRET);

/** Tuning that keeps tests fast and deterministic: no retries' waits, quick probes, generous limits. */
export const TEST_TUNING: GatewayOptions['tuning'] = {
  upstream: {
    retries: 1,
    timeoutMs: 2_000,
    healthCheckIntervalMs: 60_000,
    breakerThreshold: 5,
    breakerCooldownMs: 500,
  },
  readinessTimeoutMs: 300,
};

export interface TestUpstream {
  name: string;
  app: FastifyInstance;
  url: string;
  /** What the upstream received, newest last. */
  seen: { method: string; url: string; headers: Record<string, unknown>; bodyLength: number }[];
  ready: boolean;
  close(): Promise<void>;
}

/**
 * A real upstream service on a loopback port. `/api/*` echoes what arrived (after `x-test-delay` ms,
 * with status `x-test-status`); /healthz, /readyz (following `ready`) and /openapi.json as services
 * have them. `extend` adds routes before it listens.
 */
export async function startUpstream(
  name: string,
  extend?: (app: FastifyInstance, upstream: TestUpstream) => void,
  port = 0,
): Promise<TestUpstream> {
  const app = Fastify();
  const upstream: TestUpstream = { name, app, url: '', seen: [], ready: true, close: () => app.close() };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) =>
    reply.status(upstream.ready ? 200 : 503).send({ status: upstream.ready }),
  );
  app.get('/readyz/self', async (_req, reply) =>
    reply.status(upstream.ready ? 200 : 503).send({ status: upstream.ready }),
  );
  app.get('/openapi.json', async (req, reply) => {
    if (req.headers[SERVICE_TOKEN_HEADER] !== SERVICE_TOKEN) return reply.status(401).send({});
    return {
      openapi: '3.1.0',
      info: { title: name, version: '1' },
      paths: {
        [`/api/${name}-doc/{id}`]: { get: { responses: { 200: { description: 'ok' } } } },
        [`/internal/${name}-secret`]: { get: { responses: { 200: { description: 'ok' } } } },
      },
      components: { schemas: { [`${name}Thing`]: { type: 'object' } } },
    };
  });
  extend?.(app, upstream);
  app.all('/api/*', async (req, reply) => {
    const delay = Number(req.headers['x-test-delay'] ?? 0);
    if (delay > 0) await sleep(delay);
    const body = req.body as Buffer | undefined;
    upstream.seen.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: body?.length ?? 0,
    });
    return reply
      .status(Number(req.headers['x-test-status'] ?? 200))
      .header('x-marquee-internal', 'leak')
      .send({
        service: name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        bodyLength: body?.length ?? 0,
      });
  });
  upstream.url = await app.listen({ port, host: '127.0.0.1' });
  return upstream;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

export interface TokenClaims {
  sub: string;
  role?: 'viewer' | 'admin';
  plan?: 'basic' | 'standard' | 'premium';
  sid?: string;
  /** Seconds from now (negative: already expired). */
  expiresIn?: number;
}

/** An access token exactly as users issues them (EdDSA, kid, typ at+jwt, iss, aud). */
export function mintToken(key: SigningKey, claims: TokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    role: claims.role ?? 'viewer',
    plan: claims.plan ?? 'standard',
    sid: claims.sid ?? 's-1',
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject(claims.sub)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (claims.expiresIn ?? 900))
    .sign(key.privateKey);
}

export interface FakeUsers extends TestUpstream {
  keys: SigningKey[];
  jwksFetches: number;
  profiles: Map<string, { accountId: string; kids: boolean; maxMaturity: string }>;
  profileLookups: number;
  token(claims: TokenClaims): Promise<string>;
}

/** A users stand-in with the internal API the gateway relies on: the JWK Set and profile owners. */
export async function startFakeUsers(): Promise<FakeUsers> {
  const keys = [await newSigningKey('key-1')];
  const state = { jwksFetches: 0, profileLookups: 0 };
  const profiles: FakeUsers['profiles'] = new Map();
  const base = await startUpstream('users', (app) => {
    app.get('/internal/jwks', async (req, reply) => {
      if (req.headers[SERVICE_TOKEN_HEADER] !== SERVICE_TOKEN) return reply.status(401).send({});
      state.jwksFetches++;
      return { keys: keys.map((k) => k.jwk) };
    });
    app.get('/internal/profiles/:profileId', async (req, reply) => {
      state.profileLookups++;
      const id = (req.params as { profileId: string }).profileId;
      const profile = profiles.get(id);
      return profile
        ? { profileId: id, name: id, ...profile }
        : reply.status(404).send({ code: 'not_found' });
    });
  });
  return Object.assign(base, {
    keys,
    profiles,
    get jwksFetches() {
      return state.jwksFetches;
    },
    get profileLookups() {
      return state.profileLookups;
    },
    token: (claims: TokenClaims) => mintToken(keys[0]!, claims),
  }) as FakeUsers;
}

export interface TestGateway {
  gateway: ServiceModule;
  app: FastifyInstance;
  cache: Cache;
  close(): Promise<void>;
}

/** A gateway over the given upstream URLs, with its own fresh cache (embedded unless given). */
export async function startGateway(
  urls: Partial<Record<ServiceName, string[]>>,
  options: GatewayOptions & { settings?: Record<string, string>; cache?: Cache; logger?: Logger } = {},
): Promise<TestGateway> {
  const cache = options.cache ?? (await openTestCache('embedded'));
  const none: string[] = [];
  const gateway = await buildGateway(
    {
      settings: loadSettings({ MARQUEE_DEMO: 'false', ...options.settings }),
      logger: options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      secret: SECRET,
      cache,
      urls: {
        gateway: none,
        users: none,
        streaming: none,
        recommender: none,
        encoder: none,
        edge: none,
        storage: none,
        analytics: none,
        ...urls,
      },
    },
    { ...options, tuning: { ...TEST_TUNING, ...options.tuning } },
  );
  await gateway.app.ready();
  return {
    gateway,
    app: gateway.app,
    cache,
    async close() {
      await gateway.app.close();
      await gateway.stop();
      if (!options.cache) await cache.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
