import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { SERVICE_TOKEN_HEADER, serviceToken, type ServiceModule } from '@marquee/core';
import { createTestContext, uniqueName, type TestContext } from '@marquee/platform/testing';
import { buildStorage } from '@marquee/storage';
import { buildStreaming } from '@marquee/streaming';
import { buildUsers } from '@marquee/users';
import { buildGateway, type GatewayOptions } from '../../src/index.js';

/**
 * The platform an attacker meets, in this process: the real gateway in front of the real users,
 * streaming and storage services on loopback ports, one embedded context (SQLite, in-process cache,
 * embedded event log, filesystem blobs). Everything a test does goes through `api` — the public HTTP
 * API of the gateway — except `publishReady`, which plays the encoder's part.
 */
export const ADMIN = { email: 'ops@security.test', password: 'a long admin passphrase' };
export const PASSWORD = 'correct horse battery staple';
const SECRET = 'security-suite-secret-0123456789abcdef';

export interface Account {
  accountId: string;
  accessToken: string;
  refreshToken: string;
  email: string;
}

export interface SecurityPlatform {
  ctx: TestContext;
  api(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  signUp(plan?: string): Promise<Account>;
  admin(): Promise<Account>;
  /** A title taken to ready as the encoder would announce it (the upload is not what is tested). */
  publishReady(body: { name: string; maturity: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startSecurityPlatform(
  options: { settings?: Record<string, string>; tuning?: GatewayOptions['tuning'] } = {},
): Promise<SecurityPlatform> {
  const ctx = await createTestContext({
    secret: SECRET,
    settings: {
      MARQUEE_ADMIN_EMAIL: ADMIN.email,
      MARQUEE_ADMIN_PASSWORD: ADMIN.password,
      ...options.settings,
    },
  });
  const started: ServiceModule[] = [];
  const listen = async (service: ServiceModule) => {
    started.push(service);
    return [await service.app.listen({ port: 0, host: '127.0.0.1' })];
  };
  const users = await buildUsers(ctx, {
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    print: () => undefined,
  });
  ctx.urls.users = await listen(users);
  const streaming = await buildStreaming(ctx);
  ctx.urls.streaming = await listen(streaming);
  const storage = await buildStorage(ctx);
  ctx.urls.storage = await listen(storage);
  const gateway = await buildGateway(ctx, { tuning: options.tuning ?? {} });
  await gateway.app.ready();
  started.push(gateway);
  for (const service of started) await service.start();

  const api: SecurityPlatform['api'] = ({ token, ...request }) =>
    gateway.app.inject({
      ...request,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...request.headers },
    });
  let adminAccount: Account | undefined;
  const admin = async (): Promise<Account> => {
    if (adminAccount) return adminAccount;
    const res = await api({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    if (res.statusCode !== 200) throw new Error(`admin login answered ${res.statusCode}: ${res.body}`);
    adminAccount = { ...res.json<Omit<Account, 'email'>>(), email: ADMIN.email };
    return adminAccount;
  };

  return {
    ctx,
    api,
    async signUp(plan = 'standard') {
      const email = `${uniqueName('viewer')}@security.test`;
      const res = await api({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email, password: PASSWORD, plan },
      });
      if (res.statusCode !== 201) throw new Error(`sign-up answered ${res.statusCode}: ${res.body}`);
      return { ...res.json<Omit<Account, 'email'>>(), email };
    },
    admin,
    async publishReady(body) {
      const { accessToken } = await admin();
      const created = await api({
        method: 'POST',
        url: '/api/admin/titles',
        token: accessToken,
        payload: { type: 'movie', year: 2024, genres: ['drama'], synopsis: 'x', ...body },
      });
      const { titleId } = created.json<{ titleId: string }>();
      const registered = await fetch(`${ctx.urls.streaming[0]}/internal/titles/${titleId}/assets`, {
        method: 'POST',
        headers: { [SERVICE_TOKEN_HEADER]: serviceToken(SECRET), 'content-type': 'application/json' },
        body: JSON.stringify({ uploadId: `up-${titleId}`, filename: 'source.mp4' }),
      });
      const { assetId } = (await registered.json()) as { assetId: string };
      const rendition = { height: 720, width: 1280, bandwidth: 2_800_000, codecs: 'avc1.640028,mp4a.40.2' };
      await ctx.bus.publish({
        type: 'media.encoded',
        source: 'encoder',
        data: { assetId, titleId, renditions: [rendition], durationSeconds: 60 },
      });
      await eventually(async () => {
        const res = await api({ url: `/api/admin/titles/${titleId}`, token: accessToken });
        return res.json<{ asset?: { state: string } }>().asset?.state === 'ready' || undefined;
      });
      return titleId;
    },
    async close() {
      for (const service of started.reverse()) {
        await service.app.close();
        await service.stop();
      }
      await ctx.cleanup();
    },
  };
}

/** Polls `check` until it answers something, for at most 5 s (event consumers run in the background). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
