import { expect } from 'vitest';

/** Calls the public API as a client would; throws with the answer when it is not 2xx. */
export async function call<T>(
  gateway: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${gateway}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface Viewer {
  email: string;
  password: string;
  token: string;
}

export async function signUp(
  gateway: string,
  email: string,
  password = 'viewer passphrase 1',
): Promise<Viewer> {
  const { accessToken } = await call<{ accessToken: string }>(
    gateway,
    undefined,
    'POST',
    '/api/auth/signup',
    {
      email,
      password,
      plan: 'standard',
    },
  );
  return { email, password, token: accessToken };
}

export async function logIn(gateway: string, viewer: Viewer): Promise<Viewer> {
  const { accessToken } = await call<{ accessToken: string }>(gateway, undefined, 'POST', '/api/auth/login', {
    email: viewer.email,
    password: viewer.password,
  });
  return { ...viewer, token: accessToken };
}

interface Profile {
  profileId: string;
  name: string;
}

/** Everything a viewer has, as the API shows it: what must come back after a restore. */
export async function viewerState(gateway: string, viewer: Viewer) {
  const { items: list } = await call<{ items: Profile[] }>(gateway, viewer.token, 'GET', '/api/profiles');
  const perProfile = [];
  for (const p of [...list].sort((a, b) => a.profileId.localeCompare(b.profileId))) {
    const base = `/api/profiles/${p.profileId}`;
    perProfile.push({
      profile: p,
      myList: await call(gateway, viewer.token, 'GET', `${base}/list`),
      ratings: await call(gateway, viewer.token, 'GET', `${base}/ratings`),
      history: await call(gateway, viewer.token, 'GET', `${base}/history`),
    });
  }
  return perProfile;
}

/** Starts playback, reports a position, stops: the users service records it in the history. */
export async function watch(
  gateway: string,
  viewer: Viewer,
  profileId: string,
  titleId: string,
  position: number,
) {
  const session = await call<{ sessionId: string; manifestUrl: string }>(
    gateway,
    viewer.token,
    'POST',
    '/api/playback',
    {
      profileId,
      titleId,
    },
  );
  await call(gateway, viewer.token, 'POST', `/api/playback/${session.sessionId}/heartbeat`, { position });
  await call(gateway, viewer.token, 'DELETE', `/api/playback/${session.sessionId}`);
  return session;
}

/** Fetches a master playlist, its first variant playlist and that variant's init and first media segment. */
export async function fetchFirstSegments(manifestUrl: string): Promise<{ url: string; bytes: Buffer }[]> {
  const get = async (url: string) => {
    const res = await fetch(url);
    expect(res.status, url).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const master = (await get(manifestUrl)).toString();
  const variant = master.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  if (!variant) throw new Error(`no variant in\n${master}`);
  const variantUrl = new URL(variant.trim(), manifestUrl).toString();
  const playlist = (await get(variantUrl)).toString();
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
  const segment = playlist.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  if (!init || !segment) throw new Error(`no init or segment in\n${playlist}`);
  const out = [];
  for (const rel of [init, segment.trim()]) {
    const url = new URL(rel, variantUrl).toString();
    out.push({ url, bytes: await get(url) });
  }
  return out;
}
