/**
 * The processes of the gateway benchmark, one role each (so that the load generator, the upstream and
 * the gateway do not share an event loop):
 *   upstream: a bare Fastify hello-world (the reference) and a trivial users stand-in (JWK Set, one
 *             authenticated route) on two ports; prints {hello, users, token} as one JSON line.
 *   gateway:  the real gateway in front of UPSTREAM_URL with the default tuning (rate limits raised so
 *             one address can load it); prints {gateway}. GATEWAY_BENCH_BUILD=<path of a src/index.ts>
 *             runs another copy of the gateway (a step of a series of changes).
 *   proxy:    the least any Node proxy does — Fastify and an undici pool, no checks at all — in front of
 *             UPSTREAM_URL; prints {proxy}. The floor under the gateway's cost on this machine.
 */
import Fastify from 'fastify';
import { Pool } from 'undici';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createLogger, loadSettings } from '@marquee/core';
import { openCache } from '@marquee/platform';
import type { buildGateway as BuildGateway } from '@marquee/gateway';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@marquee/contracts';

const SECRET = 'bench-secret-0123456789abcdef0123456789';
const host = '127.0.0.1';

async function upstream() {
  const hello = Fastify();
  hello.get('/', async () => ({ hello: 'world' }));

  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'EdDSA', use: 'sig' };
  const users = Fastify();
  users.get('/internal/jwks', async () => ({ keys: [jwk] }));
  users.get('/healthz', async () => ({ status: 'ok' }));
  users.get('/api/account', async (req) => ({
    accountId: req.headers['x-marquee-account-id'] ?? null,
    plan: 'standard',
  }));
  const token = await new SignJWT({ role: 'viewer', plan: 'standard', sid: 'bench' })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'bench-1', typ: 'at+jwt' })
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject('acc-bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
  const [helloUrl, usersUrl] = [await hello.listen({ port: 0, host }), await users.listen({ port: 0, host })];
  console.log(JSON.stringify({ hello: helloUrl, users: usersUrl, token }));
}

async function gateway() {
  const usersUrl = process.env.UPSTREAM_URL;
  if (!usersUrl) throw new Error('UPSTREAM_URL is required');
  // GATEWAY_BENCH_BUILD names another copy of the gateway's src/index.ts (a step of a series of
  // changes, say, kept under .scratch-*/ in the repository so that its packages resolve).
  const { buildGateway } = (await import(process.env.GATEWAY_BENCH_BUILD ?? '@marquee/gateway')) as {
    buildGateway: typeof BuildGateway;
  };
  const none: string[] = [];
  const gw = await buildGateway(
    {
      settings: loadSettings({ MARQUEE_DEMO: 'false' }),
      logger: createLogger({ level: 'warn' }),
      secret: SECRET,
      cache: await openCache(),
      urls: {
        gateway: none,
        users: [usersUrl],
        streaming: none,
        recommender: none,
        encoder: none,
        edge: none,
        storage: none,
        analytics: none,
      },
    },
    {
      tuning: {
        rateLimits: {
          perAddress: { limit: 1e9, windowMs: 60_000 },
          perAccount: { limit: 1e9, windowMs: 60_000 },
        },
      },
    },
  );
  const url = await gw.app.listen({ port: 0, host });
  await gw.start();
  console.log(JSON.stringify({ gateway: url }));
}

async function proxy() {
  const pool = new Pool(process.env.UPSTREAM_URL!, { connections: 64 });
  const app = Fastify();
  app.get('/api/account', async (req, reply) => {
    const res = await pool.request({
      method: 'GET',
      path: req.url,
      headers: { 'x-marquee-account-id': 'acc-bench' },
    });
    return reply.status(res.statusCode).send(res.body);
  });
  console.log(JSON.stringify({ proxy: await app.listen({ port: 0, host }) }));
}

// A clean exit on SIGTERM, so that a profiled run (--cpu-prof) writes its profile.
process.once('SIGTERM', () => process.exit(0));
const roles: Record<string, () => Promise<void>> = { upstream, gateway, proxy };
await roles[process.argv[2] ?? 'upstream']!();
