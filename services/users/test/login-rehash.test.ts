import { SessionRevocations } from '@marquee/core';
import { openCache, registerCatalogue, type Database } from '@marquee/platform';
import { openTestDatabase } from '@marquee/platform/testing';
import { parseOptions } from '@node-rs/argon2';
import { afterEach, describe, expect, it } from 'vitest';
import { login, signup } from '../src/app/accounts.js';
import { OperatorBilling } from '../src/app/billing.js';
import type { UsersAppContext } from '../src/app/context.js';
import { createPasswordHasher } from '../src/app/password-hashing.js';
import { migrateUsers } from '../src/index.js';
import type { UsersTables } from '../src/store/tables.js';
import { createKeySealer } from '../src/tokens/sealed-keys.js';
import { SigningKeys } from '../src/tokens/signing-keys.js';
import { GOOD_PASSWORD, storeBackends, uniqueEmail } from './harness.js';

describe.each(await storeBackends())('rehash on login on $backend', ({ backend, available }) => {
  let db: Database<UsersTables> | undefined;
  afterEach(async () => {
    await db?.close();
  });

  it.runIf(available)('upgrades a hash made with older parameters when the user signs in', async () => {
    registerCatalogue();
    db = await openTestDatabase<UsersTables>(backend, { service: 'users' });
    await migrateUsers(db);
    const clock = () => new Date();
    const revocationCache = await openCache();
    const keys = new SigningKeys({
      db: db.write,
      sealer: createKeySealer('test-secret-0123456789abcdef0123456789'),
      clock,
    });
    const context = (memoryCost: number): UsersAppContext => ({
      db: db!,
      hasher: createPasswordHasher({ memoryCost, timeCost: 1, parallelism: 1 }),
      keys,
      clock,
      billing: new OperatorBilling('standard'),
      revocations: new SessionRevocations(revocationCache),
    });
    const email = uniqueEmail();
    await signup(context(1024), { email, password: GOOD_PASSWORD, plan: 'basic' });
    const stored = async () =>
      (
        await db!.write
          .selectFrom('accounts')
          .select('password_hash')
          .where('email', '=', email)
          .executeTakeFirstOrThrow()
      ).password_hash;
    expect(parseOptions(await stored()).memoryCost).toBe(1024);
    await login(context(2048), { email, password: GOOD_PASSWORD });
    expect(parseOptions(await stored()).memoryCost).toBe(2048);
    // And the upgraded hash still verifies.
    await expect(login(context(2048), { email, password: GOOD_PASSWORD })).resolves.toMatchObject({
      expiresIn: 900,
    });
  });
});
