import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Account, Api } from './api.js';
import { RequestFailed } from './http.js';
import { stopSession } from './viewer.js';

/** An Api whose stops answer the given statuses in turn (undefined: no answer at all). */
function stops(statuses: (number | undefined)[]) {
  const calls: string[] = [];
  const api = {
    expect: (name: string, method: string, path: string) => {
      calls.push(`${method} ${path}`);
      const status = statuses.shift();
      if (status !== undefined && status < 300) return Promise.resolve({ status, json: {} });
      const kind = status === undefined ? `${name} timeout` : `${name} http ${status}`;
      return Promise.reject(new RequestFailed(kind, path, status));
    },
  } as unknown as Api;
  return { api, calls };
}

describe('stopSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const account = {} as Account;

  it('sends a stop again after a 503 or no answer, until it lands', async () => {
    const { api, calls } = stops([503, undefined, 204]);
    const done = stopSession(api, account, '/api/playback/s1', 12);
    await vi.runAllTimersAsync();
    await done;
    expect(calls).toEqual(['DELETE /api/playback/s1', 'DELETE /api/playback/s1', 'DELETE /api/playback/s1']);
  });

  it('gives up after two retries, and never retries a 4xx', async () => {
    const failing = stops([503, 503, 503, 503]);
    const done = stopSession(failing.api, account, '/api/playback/s2', 0);
    await vi.runAllTimersAsync();
    await done;
    expect(failing.calls).toHaveLength(3);
    const unknown = stops([404]);
    await stopSession(unknown.api, account, '/api/playback/s3', 0);
    expect(unknown.calls).toHaveLength(1);
  });
});
