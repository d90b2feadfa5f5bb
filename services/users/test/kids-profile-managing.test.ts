import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUsers, storeBackends, type UsersHarness } from './harness.js';

// Issue 22 item 8: a kids profile cannot change or delete other profiles (the web app hid the buttons,
// the API did not care). The client names the profile it acts as in the Marquee-Profile header.
describe.each(await storeBackends())(
  'a kids profile managing profiles, on $backend',
  ({ backend, available }) => {
    let users: UsersHarness;
    beforeEach(async () => {
      if (available) users = await startUsers(backend);
    });
    afterEach(async () => {
      await users?.close();
    });

    it.runIf(available)(
      'is refused create, change and delete with 403; an adult profile is not',
      async () => {
        const { accessToken } = await users.signup();
        const [adult] = (await users.call({ url: '/api/profiles', token: accessToken })).json().items;
        const kid = (
          await users.call({
            method: 'POST',
            url: '/api/profiles',
            token: accessToken,
            payload: { name: 'Kid', kids: true },
          })
        ).json();
        const asKid = { 'marquee-profile': kid.profileId };
        const attempts = [
          { method: 'POST' as const, url: '/api/profiles', payload: { name: 'Sneaky' } },
          { method: 'PATCH' as const, url: `/api/profiles/${adult.profileId}`, payload: { name: 'Renamed' } },
          { method: 'PATCH' as const, url: `/api/profiles/${kid.profileId}`, payload: { kids: false } },
          { method: 'DELETE' as const, url: `/api/profiles/${adult.profileId}` },
        ];
        for (const attempt of attempts) {
          const res = await users.call({ ...attempt, token: accessToken, headers: asKid });
          expect(res.statusCode, `${attempt.method} ${attempt.url}`).toBe(403);
          expect(res.headers['content-type']).toContain('application/problem+json');
          expect(res.json().code).toBe('profile.kids_cannot_manage');
        }
        const after = (await users.call({ url: '/api/profiles', token: accessToken })).json().items;
        expect(after).toEqual([adult, kid]);

        // The adult profile manages as before, and so does a client that names no acting profile.
        const asAdult = { 'marquee-profile': adult.profileId };
        const renamed = await users.call({
          method: 'PATCH',
          url: `/api/profiles/${kid.profileId}`,
          token: accessToken,
          headers: asAdult,
          payload: { name: 'Kiddo' },
        });
        expect(renamed.statusCode).toBe(200);
        const removed = await users.call({
          method: 'DELETE',
          url: `/api/profiles/${kid.profileId}`,
          token: accessToken,
        });
        expect(removed.statusCode).toBe(204);
      },
    );

    it.runIf(available)(
      'answers 404 for an acting profile of another account, like any foreign id',
      async () => {
        const alice = await users.signup();
        const bob = await users.signup();
        const [bobs] = (await users.call({ url: '/api/profiles', token: bob.accessToken })).json().items;
        const res = await users.call({
          method: 'POST',
          url: '/api/profiles',
          token: alice.accessToken,
          headers: { 'marquee-profile': bobs.profileId },
          payload: { name: 'Two' },
        });
        expect(res.statusCode).toBe(404);
      },
    );
  },
);
