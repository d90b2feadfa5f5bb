import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReauthProofs } from '../src/app/account-confirmation.js';
import { startUsers, type UsersHarness } from './harness.js';

/**
 * An account made by single sign-on has a password nobody knows: its holder sets and removes a profile
 * PIN with the proof of a fresh sign-in at the provider instead (issued here as the OIDC callback issues
 * it, into the same cache). The route itself is what is tested; the proof's own rules are in
 * src/app/account-confirmation.test.ts.
 */
describe('profile PIN confirmed by re-authentication', () => {
  let users: UsersHarness;
  let proofs: ReauthProofs;
  beforeAll(async () => {
    users = await startUsers('embedded');
    proofs = new ReauthProofs(users.ctx.cache);
  });
  afterAll(() => users?.close());

  const holder = async () => {
    const { accessToken } = await users.signup();
    const account = (await users.call({ url: '/api/account', token: accessToken })).json<{
      accountId: string;
    }>();
    const [profile] = (await users.call({ url: '/api/profiles', token: accessToken })).json<{
      items: { profileId: string }[];
    }>().items;
    return {
      token: accessToken,
      accountId: account.accountId,
      pinUrl: `/api/profiles/${profile!.profileId}/pin`,
    };
  };
  const lockedOf = async (token: string) =>
    (await users.call({ url: '/api/profiles', token })).json<{ items: { locked?: boolean }[] }>().items[0]!
      .locked;

  it('sets and removes a PIN with a proof, each proof once and only for its own account', async () => {
    const [me, other] = await Promise.all([holder(), holder()]);
    const proof = await proofs.issue(me.accountId);

    const stolen = await users.call({
      method: 'PUT',
      url: other.pinUrl,
      token: other.token,
      payload: { pin: '1234', reauthProof: proof },
    });
    expect(stolen.statusCode).toBe(401);
    expect(stolen.json<{ code: string }>().code).toBe('auth.invalid_credentials');
    expect(await lockedOf(other.token)).toBeFalsy();

    const set = {
      method: 'PUT' as const,
      url: me.pinUrl,
      token: me.token,
      payload: { pin: '1234', reauthProof: proof },
    };
    expect((await users.call(set)).statusCode).toBe(204);
    expect(await lockedOf(me.token)).toBe(true);
    // Spent: the same proof does not confirm a second change.
    expect((await users.call(set)).statusCode).toBe(401);

    const removal = { method: 'DELETE' as const, url: me.pinUrl, token: me.token };
    expect((await users.call({ ...removal, payload: { reauthProof: 'x'.repeat(43) } })).statusCode).toBe(401);
    expect((await users.call({ ...removal, payload: {} })).statusCode).toBe(401);
    const removed = await users.call({
      ...removal,
      payload: { reauthProof: await proofs.issue(me.accountId) },
    });
    expect(removed.statusCode).toBe(204);
    expect(await lockedOf(me.token)).toBeFalsy();
  });
});
