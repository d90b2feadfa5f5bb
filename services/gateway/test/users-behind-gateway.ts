import { afterAll, beforeAll } from 'vitest';
import { type Cache } from '@marquee/platform';
import {
  backendAvailable,
  createTestContext,
  openTestCache,
  type TestContext,
} from '@marquee/platform/testing';
import { buildUsers } from '@marquee/users';
import type { ServiceModule } from '@marquee/core';
import { SECRET, startGateway, TEST_TUNING, type TestGateway } from './harness.js';

/** The gateway with the real users service behind it, both on one cache, for one test file's describe. */
export interface UsersBehindGateway {
  /** False when the cache backend is not reachable here: the tests skip. */
  available: boolean;
  gw: TestGateway;
}

/**
 * Before the calling describe's tests, starts users (on a port, with cheap argon2) and a gateway in front
 * of it sharing one cache — the in-process one, or Redis as in microservices mode — and stops both after.
 * `settings` go to users' context (the first admin, say). The object's fields are set once started.
 */
export function usersBehindGateway(
  backend: 'embedded' | 'redis',
  settings: Record<string, string> = {},
): UsersBehindGateway {
  const shared = { available: false } as UsersBehindGateway;
  let ctx: TestContext;
  let cache: Cache;
  let users: ServiceModule;
  beforeAll(async () => {
    shared.available = await backendAvailable(backend);
    if (!shared.available) return;
    ctx = await createTestContext({ secret: SECRET, settings });
    cache = backend === 'embedded' ? ctx.cache : await openTestCache(backend);
    users = await buildUsers(
      { ...ctx, cache },
      { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 }, print: () => undefined },
    );
    const url = await users.app.listen({ port: 0, host: '127.0.0.1' });
    await users.start();
    // The real users service hashes passwords in this process: under a loaded CI run a login can take
    // longer than the harness's 2 s upstream deadline, which is about timeouts, not what is tested here.
    const upstream = { ...TEST_TUNING!.upstream!, timeoutMs: 15_000 };
    shared.gw = await startGateway({ users: [url] }, { cache, tuning: { upstream } });
  });
  afterAll(async () => {
    if (!shared.available) return;
    await shared.gw.close();
    await users.app.close();
    await users.stop();
    if (cache !== ctx.cache) await cache.close();
    await ctx.cleanup();
  });
  return shared;
}
