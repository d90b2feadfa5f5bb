import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@marquee/core';
import { readyTitle, startStreaming, type Harness } from './harness.js';

/**
 * Issue 17 item 1: with AUTH_REQUIRE_EMAIL_VERIFICATION an account that has not confirmed its address
 * can browse but not start playback (403 `playback.email_unverified`, which the web app shows as
 * "verify your email"); once users says it is confirmed, Play works at once. Off (the default), nobody
 * is asked.
 */
describe('AUTH_REQUIRE_EMAIL_VERIFICATION', () => {
  let required: Harness;
  let relaxed: Harness;
  let movie: { titleId: string };
  let relaxedMovie: { titleId: string };
  const viewer: Identity = { accountId: 'acc-unverified', role: 'viewer', plan: 'premium' };

  beforeAll(async () => {
    required = await startStreaming('embedded', {}, undefined, { AUTH_REQUIRE_EMAIL_VERIFICATION: 'true' });
    relaxed = await startStreaming('embedded');
    movie = await readyTitle(required, { name: 'Needs a confirmed address', maturity: 'PG' });
    relaxedMovie = await readyTitle(relaxed, { name: 'Open to all', maturity: 'PG' });
    for (const h of [required, relaxed]) {
      h.users.profiles.set('p-unverified', {
        accountId: viewer.accountId,
        kids: false,
        maxMaturity: 'NC-17',
      });
      h.users.unverified.add(viewer.accountId);
    }
  });
  afterAll(async () => {
    await required?.close();
    await relaxed?.close();
  });

  const play = (h: Harness, titleId: string) =>
    h.as(viewer)({ method: 'POST', url: '/api/playback', payload: { profileId: 'p-unverified', titleId } });

  it('refuses playback to an unverified account with a stable problem type, then plays once verified', async () => {
    const refused = await play(required, movie.titleId);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ type: 'urn:marquee:problem:playback.email_unverified' });
    // Browsing is untouched.
    const title = await required.as(viewer)({ url: `/api/titles/${movie.titleId}` });
    expect(title.statusCode).toBe(200);

    required.users.unverified.delete(viewer.accountId);
    expect((await play(required, movie.titleId)).statusCode).toBe(201);
  });

  it('asks nobody when the setting is off (the default)', async () => {
    expect((await play(relaxed, relaxedMovie.titleId)).statusCode).toBe(201);
  });
});
