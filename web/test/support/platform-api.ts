import { expect } from 'vitest';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/**
 * JSON calls to a running platform's public API, as a client beside the browser makes them (to set
 * up an account or check what the browser did). `baseUrl` is read at each call, so the helpers can be
 * made before the platform starts.
 */
export function platformApi(baseUrl: () => string) {
  const api = async (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(`${baseUrl()}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  /** Signs in with a password; anything but 200 fails the test. */
  const login = async (email: string, password: string): Promise<TokenPair> => {
    const res = await api('/api/auth/login', { method: 'POST', body: { email, password } });
    expect(res.status).toBe(200);
    return (await res.json()) as TokenPair;
  };
  return { api, login };
}
