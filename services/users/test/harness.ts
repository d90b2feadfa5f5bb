import {
  createAccessTokenVerifier,
  identityHeaders,
  serviceToken,
  SERVICE_TOKEN_HEADER,
} from '@marquee/core';
import { type Database } from '@marquee/platform';
import {
  backendAvailable,
  createTestContext,
  openTestDatabase,
  type TestContext,
} from '@marquee/platform/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildUsers, type UsersOptions } from '../src/index.js';
import type { TokenPair } from '@marquee/contracts';

/** Cheap argon2 for tests only (production parameters are asserted in password-hashing.test.ts). */
export const TEST_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export type StoreBackend = 'embedded' | 'postgres';

/** The database backends every service test runs on; a listed but unreachable PostgreSQL skips (fails in CI). */
export async function storeBackends(): Promise<{ backend: StoreBackend; available: boolean }[]> {
  return [
    { backend: 'embedded', available: await backendAvailable('embedded') },
    { backend: 'postgres', available: await backendAvailable('postgres') },
  ];
}

export interface UsersHarness {
  ctx: TestContext;
  app: FastifyInstance;
  users: Awaited<ReturnType<typeof buildUsers>>;
  db: Database<unknown>;
  printed: string[];
  /** Calls users as the gateway would: service token, and the verified identity of `token` if given. */
  call(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  signup(email?: string, password?: string): Promise<TokenPair>;
  close(): Promise<void>;
}

let counter = 0;
export const uniqueEmail = (name = 'viewer') => `${name}.${Date.now().toString(36)}${++counter}@example.com`;
export const GOOD_PASSWORD = 'correct horse battery staple';

/**
 * Builds a real users service on the given backend: SQLite file or a fresh PostgreSQL schema, the
 * embedded event log, cheap argon2. The gateway's part (verify the JWT, forward identity headers) is
 * played by the exported verifier, exactly as the gateway uses it.
 */
export async function startUsers(
  backend: StoreBackend,
  {
    settings,
    databaseServers,
    ...options
  }: UsersOptions & {
    settings?: Record<string, string>;
    /** postgres only: a primary and its read replica (testing/postgres-replica) instead of one server. */
    databaseServers?: { url: string; readUrl: string };
  } = {},
): Promise<UsersHarness> {
  const ctx = await createTestContext({ settings });
  let db: Database<unknown> | undefined;
  const openDb = async <DB>(): Promise<Database<DB>> => {
    const opened =
      backend === 'postgres'
        ? await openTestDatabase<DB>('postgres', { service: 'users', servers: databaseServers })
        : await ctx.openDb<DB>('users');
    db = opened as Database<unknown>;
    return opened;
  };
  const printed: string[] = [];
  let users: Awaited<ReturnType<typeof buildUsers>>;
  try {
    users = await buildUsers(
      { ...ctx, openDb },
      { argon2: TEST_ARGON2, print: (l) => printed.push(l), ...options },
    );
  } catch (err) {
    await db?.close();
    await ctx.cleanup();
    throw err;
  }
  const app = users.app;
  await app.ready();
  const token = serviceToken(ctx.secret);
  const verifier = createAccessTokenVerifier({
    fetchJwks: async () =>
      (await app.inject({ url: '/internal/jwks', headers: { [SERVICE_TOKEN_HEADER]: token } })).json(),
    ...(options.clock ? { now: options.clock } : {}),
  });
  const call: UsersHarness['call'] = async ({ token: access, headers, ...rest }) => {
    const forwarded: Record<string, string> = { [SERVICE_TOKEN_HEADER]: token };
    if (access) {
      const claims = await verifier.verify(access);
      Object.assign(forwarded, identityHeaders(claims), { authorization: `Bearer ${access}` });
    }
    return app.inject({ ...rest, headers: { ...forwarded, ...(headers as Record<string, string>) } });
  };
  return {
    ctx,
    app,
    users,
    db: db!,
    printed,
    call,
    async signup(email = uniqueEmail(), password = GOOD_PASSWORD) {
      const res = await call({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email, password, plan: 'standard' },
      });
      if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async close() {
      await app.close();
      await users.stop();
      await db?.close();
      await ctx.cleanup();
    },
  };
}
