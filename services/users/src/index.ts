import { join } from 'node:path';
import {
  BackgroundWork,
  createAccessTokenVerifier,
  createServiceServer,
  requireServiceToken,
  profileRecordKey,
  SessionRevocations,
  type ServiceModule,
} from '@marquee/core';
import {
  platformProblems,
  outboxMigrations,
  registerCatalogue,
  startOutboxRelay,
  type Database,
  type OutboxRelay,
  type ServiceContext,
} from '@marquee/platform';
import { ReauthProofs } from './app/account-confirmation.js';
import { createAdminAccount, ensureFirstAdmin } from './app/admin.js';
import { OperatorBilling, type Billing } from './app/billing.js';
import type { UsersAppContext } from './app/context.js';
import { createPasswordHasher, type Argon2Params } from './app/password-hashing.js';
import './app/problems.js';
import { usersConfig } from './config.js';
import { accountRoutes } from './http/account-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { emailRoutes } from './http/email-routes.js';
import { EmailLinks } from './app/email-links.js';
import { openMailer } from './mail/mailer.js';
import { internalRoutes } from './http/internal-routes.js';
import { libraryRoutes } from './http/library-routes.js';
import { planChangeRoutes } from './http/plan-change-routes.js';
import { accountAdminRoutes } from './http/account-admin-routes.js';
import { profileRoutes } from './http/profile-routes.js';
import { profileLockRoutes } from './http/profile-lock-routes.js';
import { ProfileLocks } from './app/profile-locks.js';
import { AccountData } from './app/account-data.js';
import { playbackSessionsHolder } from './app/holders.js';
import { accountDataRoutes } from './http/account-data-routes.js';
import { TwoFactor } from './app/two-factor.js';
import { twoFactorRoutes } from './http/two-factor-routes.js';
import { OidcSignIn } from './app/oidc.js';
import { oidcRoutes } from './http/oidc-routes.js';
import { startPlaybackHistory } from './jobs/playback-history.js';
import { usersMigrations } from './store/migrations.js';
import type { UsersTables } from './store/tables.js';
import { createKeySealer } from './tokens/sealed-keys.js';
import { SigningKeys } from './tokens/signing-keys.js';
import { usersProblems } from './app/problems.js';

export { SESSION_HEADER } from './http/current-session.js';
export type { UsersTables } from './store/tables.js';

/** What buildUsers takes from the composition root. */
export type UsersDeps = Pick<
  ServiceContext,
  'settings' | 'logger' | 'secret' | 'bus' | 'openDb' | 'cache' | 'dataDir'
> &
  Partial<Pick<ServiceContext, 'urls'>>;

/** Test seams; production leaves them all unset. */
export interface UsersOptions {
  /** Cheaper argon2 for tests only; production uses PRODUCTION_ARGON2 (above OWASP's minimum). */
  argon2?: Argon2Params;
  clock?: () => Date;
  /** Where the generated first-admin password is printed, once (default stdout). */
  print?: (line: string) => void;
  /** Age at which the signing key rotates (default 30 days). */
  keyRotationMs?: number;
  /** Who decides plans: a payment provider's adapter; default OperatorBilling(BILLING_DEFAULT_PLAN). */
  billing?: Billing;
}

/** Applies the users migrations (with the platform outbox table); idempotent. */
export async function migrateUsers(db: Database<UsersTables>): Promise<void> {
  await db.migrate({ ...outboxMigrations, ...usersMigrations });
}

/**
 * The users service: accounts, auth tokens, sessions, profiles, My List, ratings and viewing history.
 *
 * @example
 *   const users = await buildUsers(ctx);
 *   await users.app.listen({ port, host });
 *   await users.start();
 */
export async function buildUsers(
  deps: UsersDeps,
  options: UsersOptions = {},
): Promise<ServiceModule & { keys: SigningKeys }> {
  registerCatalogue();
  const config = usersConfig(deps);
  const clock = options.clock ?? (() => new Date());
  const db = await deps.openDb<UsersTables>('users');
  await migrateUsers(db);
  const keys = new SigningKeys({
    db: db.write,
    sealer: createKeySealer(config.secret),
    clock,
    ...(options.keyRotationMs === undefined ? {} : { rotateAfterMs: options.keyRotationMs }),
  });
  await keys.ensure();
  const ctx: UsersAppContext = {
    db,
    hasher: createPasswordHasher(options.argon2 ?? config.argon2),
    keys,
    clock,
    billing: options.billing ?? new OperatorBilling(config.defaultPlan),
    revocations: new SessionRevocations(deps.cache),
    requireAdminTwoFactor: config.requireAdminTwoFactor,
    reauthProofs: new ReauthProofs(deps.cache),
  };
  await ensureFirstAdmin(
    ctx,
    config.firstAdmin,
    options.print ?? ((line) => process.stdout.write(`${line}\n`)),
    deps.logger,
  );

  const { app } = createServiceServer({
    name: 'users',
    problems: [platformProblems, usersProblems],
    // Users only takes small JSON bodies; a tight limit keeps oversized requests cheap to refuse.
    bodyLimit: 64 * 1024,
    logger: deps.logger,
    readiness: { database: () => db.ping() },
  });
  requireServiceToken(app, config.secret);
  const verifier = createAccessTokenVerifier({
    fetchJwks: () => keys.jwks(),
    refreshAfterMs: 60_000,
    unknownKidCooldownMs: 1_000,
  });
  const mailer = openMailer({ ...config.mail, folder: join(deps.dataDir, 'mail') });
  // Work after an answer (the mails): stop() waits for it before the database and the mailer close.
  const background = new BackgroundWork(deps.logger);
  const emailLinks = new EmailLinks(ctx, {
    mailer,
    cache: deps.cache,
    logger: deps.logger,
    publicUrl: config.publicUrl,
    background,
  });
  const twoFactor = new TwoFactor(ctx, {
    cache: deps.cache,
    sealer: createKeySealer(config.secret, 'totp-secret-seal-v1'),
    secret: config.secret,
    issuer: 'Marquee',
  });
  authRoutes(
    app,
    ctx,
    (accountId) =>
      // After the answer: a slow or absent mail server never holds up a sign-up.
      void background.run('verification mail', () => emailLinks.sendVerification(accountId)),
    twoFactor,
    config.localPasswords,
  );
  twoFactorRoutes(app, twoFactor);
  const oidc = config.oidc
    ? new OidcSignIn(ctx, {
        settings: config.oidc,
        cache: deps.cache,
        publicUrl: config.publicUrl,
        logger: deps.logger,
      })
    : undefined;
  oidcRoutes(app, oidc, { localPasswords: config.localPasswords, publicUrl: config.publicUrl });
  emailRoutes(app, emailLinks, mailer, { localPasswords: config.localPasswords });
  accountRoutes(app, ctx, verifier);
  profileRoutes(app, ctx, (profileId) => deps.cache.delete(profileRecordKey(profileId)));
  // The export asks streaming for the account's playback sessions (absent in tests that build users alone).
  const streamingHolder = deps.urls?.streaming.length
    ? playbackSessionsHolder(deps.urls.streaming, config.secret)
    : undefined;
  accountDataRoutes(
    app,
    new AccountData(ctx, {
      holders: streamingHolder ? [streamingHolder.export] : [],
      logger: deps.logger,
    }),
  );
  profileLockRoutes(app, ctx, new ProfileLocks(ctx, { cache: deps.cache, secret: config.secret }), verifier);
  libraryRoutes(app, ctx);
  internalRoutes(app, ctx);
  planChangeRoutes(app, ctx);
  // A disabled account's access tokens stop at once, like any ended session.
  accountAdminRoutes(app, ctx, (sessionIds) => ctx.revocations.revoke(sessionIds));

  let relay: OutboxRelay | undefined;
  let playback: { stop(): Promise<void> } | undefined;
  return {
    name: 'users',
    app,
    keys,
    async start() {
      relay = startOutboxRelay({ db, bus: deps.bus, logger: deps.logger });
      playback = await startPlaybackHistory({ db, bus: deps.bus, logger: deps.logger, clock });
    },
    async stop() {
      await background.stop();
      await playback?.stop();
      await relay?.stop();
      await streamingHolder?.close();
      mailer.close();
      await db.close();
    },
  };
}

/**
 * `marquee admin create`: adds an admin account (the password passes the normal policy). Opens the
 * users database through the caller's openDb, which also closes it.
 */
export async function createAdmin(
  deps: Pick<ServiceContext, 'openDb'>,
  input: { email: string; password: string },
  options: Pick<UsersOptions, 'argon2' | 'clock'> = {},
): Promise<{ accountId: string; email: string }> {
  registerCatalogue();
  const db = await deps.openDb<UsersTables>('users');
  await migrateUsers(db);
  return createAdminAccount(
    { db, hasher: createPasswordHasher(options.argon2), clock: options.clock ?? (() => new Date()) },
    input,
  );
}
