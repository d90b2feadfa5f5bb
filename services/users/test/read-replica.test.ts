import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaAvailable, startReplicaPair, type ReplicaPair } from '@marquee/platform/testing';
import { startUsers, type UsersHarness } from './harness.js';

/**
 * The users service on a PostgreSQL primary with a REAL streaming replica as DATABASE_READ_URL, replay
 * paused: what a viewer just did must be what the next request sees. docs/adapters.md lists which
 * reads may lag (history and my list for home rows) and which must not (everything here).
 */
describe.runIf(replicaAvailable())('users with a lagging read replica', () => {
  let pair: ReplicaPair;
  let users: UsersHarness;
  beforeAll(async () => {
    pair = await startReplicaPair();
    users = await startUsers('postgres', {
      databaseServers: { url: pair.primaryUrl, readUrl: pair.replicaUrl },
    });
  }, 120_000);
  afterAll(async () => {
    await users?.close();
    await pair?.stop();
  });

  it('a profile just created is there for the gateway, streaming and the viewer while replay is paused', async () => {
    await pair.caughtUp();
    await pair.pauseReplay();
    try {
      const { accessToken } = await users.signup();
      const created = await users.call({
        method: 'POST',
        url: '/api/profiles',
        token: accessToken,
        payload: { name: 'Just made', kids: true },
      });
      expect(created.statusCode).toBe(201);
      const { profileId } = created.json<{ profileId: string }>();

      // What the gateway's ownership check and streaming's playback start ask (was read on the replica: 404).
      const internal = await users.call({ url: `/internal/profiles/${profileId}` });
      expect(internal.statusCode, internal.body).toBe(200);
      expect(internal.json()).toMatchObject({ profileId, kids: true, maxMaturity: 'PG' });

      const listed = await users.call({ url: '/api/profiles', token: accessToken });
      expect(listed.json<{ items: { profileId: string }[] }>().items.map((p) => p.profileId)).toContain(
        profileId,
      );
      const login = await users.call({ url: '/api/account', token: accessToken });
      expect(login.statusCode).toBe(200);
    } finally {
      await pair.resumeReplay();
    }
  });
});
