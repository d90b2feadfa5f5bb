import { describe, expect, it } from 'vitest';
import { uniqueName } from '@marquee/platform/testing';
import { bearer } from './harness.js';
import { usersBehindGateway } from './users-behind-gateway.js';

/**
 * Issue 17 item 5, through the public API: the real users service behind the gateway, sharing one cache
 * (in-process, or Redis as in microservices mode). A locked adult profile needs its PIN on this device
 * (a profile key, checked by the gateway on every request naming the profile); a device that entered
 * a kids profile with a PIN stays in it until the PIN is typed, whatever headers it sends; wrong PINs
 * are limited; another account's profile ids answer 404.
 */
const PASSWORD = 'correct horse battery staple';

interface Pair {
  accountId: string;
  accessToken: string;
}
interface Profile {
  profileId: string;
  kids: boolean;
  locked?: boolean;
}

describe.each(['embedded', 'redis'] as const)('profile locks on the %s cache', (backend) => {
  const shared = usersBehindGateway(backend);

  const call = (
    token: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) =>
    shared.gw.app.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      headers: { ...bearer(token), ...headers },
    });
  const signup = async (): Promise<Pair & { email: string }> => {
    const email = `${uniqueName('locks')}@example.com`;
    const res = await shared.gw.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email, password: PASSWORD, plan: 'basic' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { ...res.json<Pair>(), email };
  };
  const login = async (email: string): Promise<Pair> => {
    const res = await shared.gw.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    return res.json<Pair>();
  };
  const newProfile = async (token: string, body: object): Promise<Profile> => {
    const res = await call(token, 'POST', '/api/profiles', body);
    expect(res.statusCode).toBe(201);
    return res.json<Profile>();
  };
  const expectProblem = (
    res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
    status: number,
    code: string,
  ) => {
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code, type: `urn:marquee:problem:${code}` });
  };

  it.runIf(() => shared.available)(
    'a locked adult profile opens only with its PIN, on this device only',
    async () => {
      const viewer = await signup();
      const grown = await newProfile(viewer.accessToken, { name: 'Parent' });

      expectProblem(
        await call(viewer.accessToken, 'PUT', `/api/profiles/${grown.profileId}/pin`, {
          pin: '2468',
          password: 'not it at all',
        }),
        401,
        'auth.invalid_credentials',
      );
      expect(
        (
          await call(viewer.accessToken, 'PUT', `/api/profiles/${grown.profileId}/pin`, {
            pin: '24a8',
            password: PASSWORD,
          })
        ).statusCode,
      ).toBe(400);
      expect(
        (
          await call(viewer.accessToken, 'PUT', `/api/profiles/${grown.profileId}/pin`, {
            pin: '2468',
            password: PASSWORD,
          })
        ).statusCode,
      ).toBe(204);
      const listed = (await call(viewer.accessToken, 'GET', '/api/profiles')).json<{ items: Profile[] }>()
        .items;
      expect(listed.find((p) => p.profileId === grown.profileId)?.locked).toBe(true);

      // Naming the profile in a path or a body needs a profile key, with or without Marquee-Profile.
      const list = `/api/profiles/${grown.profileId}/list`;
      expectProblem(await call(viewer.accessToken, 'GET', list), 403, 'profile.locked');
      expectProblem(
        await call(viewer.accessToken, 'GET', list, undefined, { 'marquee-profile': grown.profileId }),
        403,
        'profile.locked',
      );
      expectProblem(
        await call(viewer.accessToken, 'POST', '/api/playback', {
          profileId: grown.profileId,
          titleId: 't-1',
        }),
        403,
        'profile.locked',
      );
      expectProblem(
        await call(viewer.accessToken, 'POST', `/api/profiles/${grown.profileId}/unlock`, { pin: '1357' }),
        403,
        'profile.pin_wrong',
      );
      const unlocked = await call(viewer.accessToken, 'POST', `/api/profiles/${grown.profileId}/unlock`, {
        pin: '2468',
      });
      expect(unlocked.statusCode).toBe(200);
      const { profileKey } = unlocked.json<{ profileKey: string }>();
      expect(
        (await call(viewer.accessToken, 'GET', list, undefined, { 'marquee-profile-key': profileKey }))
          .statusCode,
      ).toBe(200);

      // The key belongs to this device's session: another sign-in of the same account cannot use it.
      const tv = await login(viewer.email);
      expectProblem(
        await call(tv.accessToken, 'GET', list, undefined, { 'marquee-profile-key': profileKey }),
        403,
        'profile.locked',
      );
      // A new PIN retires the keys made under the old one; removing the PIN opens the profile.
      expect(
        (
          await call(viewer.accessToken, 'PUT', `/api/profiles/${grown.profileId}/pin`, {
            pin: '9753',
            password: PASSWORD,
          })
        ).statusCode,
      ).toBe(204);
      expectProblem(
        await call(viewer.accessToken, 'GET', list, undefined, { 'marquee-profile-key': profileKey }),
        403,
        'profile.locked',
      );
      expect(
        (
          await call(viewer.accessToken, 'DELETE', `/api/profiles/${grown.profileId}/pin`, {
            password: PASSWORD,
          })
        ).statusCode,
      ).toBe(204);
      expect((await call(tv.accessToken, 'GET', list)).statusCode).toBe(200);
    },
  );

  it.runIf(() => shared.available)(
    'wrong PINs are limited: after five, even the right one waits',
    async () => {
      const viewer = await signup();
      const grown = await newProfile(viewer.accessToken, { name: 'Guarded' });
      const unlock = (pin: string) =>
        call(viewer.accessToken, 'POST', `/api/profiles/${grown.profileId}/unlock`, { pin });
      await call(viewer.accessToken, 'PUT', `/api/profiles/${grown.profileId}/pin`, {
        pin: '4321',
        password: PASSWORD,
      });
      for (let i = 0; i < 4; i++) expectProblem(await unlock(String(1000 + i)), 403, 'profile.pin_wrong');
      expectProblem(await unlock('1004'), 429, 'profile.pin_attempts');
      expectProblem(await unlock('4321'), 429, 'profile.pin_attempts');
    },
  );

  it.runIf(() => shared.available)(
    'a device in a kids profile with a PIN stays there until the PIN is typed',
    async () => {
      const viewer = await signup();
      const adult = (await call(viewer.accessToken, 'GET', '/api/profiles')).json<{ items: Profile[] }>()
        .items[0]!;
      const kid = await newProfile(viewer.accessToken, { name: 'Kid', kids: true });
      await call(viewer.accessToken, 'PUT', `/api/profiles/${kid.profileId}/pin`, {
        pin: '1111',
        password: PASSWORD,
      });
      // The kids profile opens without its PIN: the PIN guards leaving it.
      const entered = await call(viewer.accessToken, 'POST', `/api/profiles/${kid.profileId}/enter`);
      expect(entered.statusCode).toBe(200);
      expect(entered.json()).toEqual({ confined: true });
      expect((await call(viewer.accessToken, 'GET', `/api/profiles/${kid.profileId}/list`)).statusCode).toBe(
        200,
      );
      expect((await call(viewer.accessToken, 'GET', '/api/profiles')).statusCode).toBe(200);

      // No header, another profile's header, account pages, profile changes: all refused on this device.
      expectProblem(await call(viewer.accessToken, 'GET', '/api/account'), 403, 'profile.confined');
      expectProblem(await call(viewer.accessToken, 'GET', '/api/account/sessions'), 403, 'profile.confined');
      expectProblem(
        await call(viewer.accessToken, 'GET', `/api/profiles/${adult.profileId}/list`, undefined, {
          'marquee-profile': adult.profileId,
        }),
        403,
        'profile.confined',
      );
      expectProblem(
        await call(viewer.accessToken, 'POST', '/api/profiles', { name: 'Escape' }),
        403,
        'profile.confined',
      );
      expectProblem(
        await call(viewer.accessToken, 'PATCH', `/api/profiles/${kid.profileId}`, { kids: false }),
        403,
        'profile.confined',
      );
      expectProblem(
        await call(viewer.accessToken, 'POST', `/api/profiles/${adult.profileId}/enter`),
        403,
        'profile.confined',
      );
      // Another device of the account is not confined.
      const phone = await login(viewer.email);
      expect((await call(phone.accessToken, 'GET', '/api/account')).statusCode).toBe(200);

      expectProblem(
        await call(viewer.accessToken, 'POST', `/api/profiles/${kid.profileId}/unlock`, { pin: '2222' }),
        403,
        'profile.pin_wrong',
      );
      expect(
        (await call(viewer.accessToken, 'POST', `/api/profiles/${kid.profileId}/unlock`, { pin: '1111' }))
          .statusCode,
      ).toBe(200);
      expect((await call(viewer.accessToken, 'GET', '/api/account')).statusCode).toBe(200);
      expect(
        (await call(viewer.accessToken, 'GET', `/api/profiles/${adult.profileId}/list`)).statusCode,
      ).toBe(200);
    },
  );

  it.runIf(() => shared.available)(
    'another account’s profile ids answer 404 on every lock route',
    async () => {
      const owner = await signup();
      const grown = await newProfile(owner.accessToken, { name: 'Mine' });
      await call(owner.accessToken, 'PUT', `/api/profiles/${grown.profileId}/pin`, {
        pin: '8642',
        password: PASSWORD,
      });
      const intruder = await signup();
      const base = `/api/profiles/${grown.profileId}`;
      for (const [method, url, body] of [
        ['PUT', `${base}/pin`, { pin: '0000', password: PASSWORD }],
        ['DELETE', `${base}/pin`, { password: PASSWORD }],
        ['POST', `${base}/unlock`, { pin: '8642' }],
        ['POST', `${base}/enter`, undefined],
      ] as const) {
        expectProblem(await call(intruder.accessToken, method, url, body), 404, 'not_found');
      }
      // The owner's PIN is untouched.
      expectProblem(await call(owner.accessToken, 'GET', `${base}/list`), 403, 'profile.locked');
    },
  );
});
