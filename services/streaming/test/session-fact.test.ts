import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@marquee/core';
import { readyTitle, startStreaming, type Harness } from './harness.js';

// Issue 18: the analytics service takes telemetry only for a live session of the caller's, and asks
// streaming whose a session is and whether it ended.
describe('GET /internal/playback/:sessionId', () => {
  let h: Harness;
  let titleId: string;
  const viewer: Identity = { accountId: 'acc-fact', role: 'viewer', plan: 'standard' };

  beforeAll(async () => {
    h = await startStreaming('embedded');
    ({ titleId } = await readyTitle(h, { name: 'Facts', maturity: 'PG' }));
    h.users.profiles.set('p-fact', { accountId: 'acc-fact', kids: false, maxMaturity: 'NC-17' });
  });
  afterAll(() => h?.close());

  it('names the session’s owner, profile and title, and when it stopped', async () => {
    const started = await h.as(viewer)({
      method: 'POST',
      url: '/api/playback',
      payload: { profileId: 'p-fact', titleId },
    });
    expect(started.statusCode).toBe(201);
    const { sessionId } = started.json<{ sessionId: string }>();
    const fact = await h.internal({ method: 'GET', url: `/internal/playback/${sessionId}` });
    expect(fact.statusCode).toBe(200);
    expect(fact.json()).toMatchObject({
      sessionId,
      accountId: 'acc-fact',
      profileId: 'p-fact',
      titleId,
      stoppedAt: null,
    });
    await h.as(viewer)({ method: 'DELETE', url: `/api/playback/${sessionId}`, payload: { position: 3 } });
    const ended = await h.internal({ method: 'GET', url: `/internal/playback/${sessionId}` });
    expect(ended.json<{ stoppedAt: string | null }>().stoppedAt).toEqual(expect.any(String));
    const unknown = await h.internal({ method: 'GET', url: '/internal/playback/no-such-session' });
    expect(unknown.statusCode).toBe(404);
  });
});
