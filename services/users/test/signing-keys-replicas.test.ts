import { type Database } from '@marquee/platform';
import { openTestDatabase } from '@marquee/platform/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateUsers } from '../src/index.js';
import type { UsersTables } from '../src/store/tables.js';
import { createKeySealer } from '../src/tokens/sealed-keys.js';
import { SigningKeys } from '../src/tokens/signing-keys.js';

/**
 * Two users replicas share the signing-key table. Started together on an empty table, each creates a
 * key; the one that loaded first knew only its own and published only that for ten minutes, so a
 * gateway refreshing its JWK Set from it refused every token the other replica signed (401
 * auth.token_invalid in the cluster acceptance test, once the sibling that knew both was restarting).
 */
const SECRET = 'test-secret-0123456789abcdef0123456789';

describe('signing keys across users replicas', () => {
  let db: Database<UsersTables>;
  beforeEach(async () => {
    db = await openTestDatabase<UsersTables>('embedded');
    await migrateUsers(db);
  });
  afterEach(async () => {
    await db.close();
  });

  const replica = () =>
    new SigningKeys({ db: db.write, sealer: createKeySealer(SECRET), clock: () => new Date() });

  it('publishes the keys another replica created after this one loaded', async () => {
    const first = replica();
    await first.ensure();
    const second = replica();
    // What the second replica does when it found the table empty too: a key of its own, which signs.
    const theirs = await second.rotate();
    const published = (await first.jwks()).keys.map((k) => k.kid);
    expect(published).toContain(theirs.kid);
    expect(published).toContain((await first.current()).kid);
  });
});
