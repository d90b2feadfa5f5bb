import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_HEADERS, identityHeaders, type Identity } from '@marquee/core';
import { readyTitle, startStreaming, type Harness } from './harness.js';

/**
 * A playback start that came through the gateway carries the profile's facts in the identity (the
 * gateway checked the profile is the caller's): streaming decides on them without asking users again,
 * and on nothing else — facts about another profile, malformed ones or ones without the service token.
 */
describe('playback on the profile facts the gateway forwarded', () => {
  let h: Harness;
  let pg: string;
  let rated: string;
  const account = { accountId: 'acc-vp', role: 'viewer', plan: 'premium' } as const;
  const through = (profileId: string, kids: boolean, maxMaturity: 'PG' | 'R' | 'NC-17'): Identity => ({
    ...account,
    profile: { profileId, kids, maxMaturity },
  });
  const start = (who: Identity, profileId: string, titleId: string, headers: Record<string, string> = {}) =>
    h.as(who)({ method: 'POST', url: '/api/playback', payload: { profileId, titleId }, headers });
  const stop = (sessionId: string) => h.as(account)({ method: 'DELETE', url: `/api/playback/${sessionId}` });

  beforeAll(async () => {
    h = await startStreaming('embedded');
    pg = (await readyTitle(h, { name: 'Family film', maturity: 'PG' })).titleId;
    rated = (await readyTitle(h, { name: 'Late film', maturity: 'R' })).titleId;
    h.users.profiles.set('vp-adult', { accountId: 'acc-vp', kids: false, maxMaturity: 'NC-17' });
    h.users.profiles.set('vp-kid', { accountId: 'acc-vp', kids: true, maxMaturity: 'PG' });
    h.users.profiles.set('vp-other-kid', { accountId: 'acc-vp', kids: true, maxMaturity: 'PG' });
  });
  afterAll(() => h?.close());
  beforeEach(() => {
    h.users.profileLookups.length = 0;
  });

  it('starts and prepares without one users profile call', async () => {
    const adult = through('vp-adult', false, 'NC-17');
    const played = await start(adult, 'vp-adult', rated);
    expect(played.statusCode).toBe(201);
    await stop(played.json<{ sessionId: string }>().sessionId);
    const prepared = await h.as(adult)({
      method: 'POST',
      url: '/api/playback/prepare',
      payload: { profileId: 'vp-adult', titleId: pg },
    });
    expect(prepared.statusCode).toBe(201);
    expect(h.users.profileLookups).toEqual([]);
  });

  it('refuses a kids profile an R title on its facts, and holds the kids ceiling whatever it is given', async () => {
    const refused = await start(through('vp-kid', true, 'PG'), 'vp-kid', rated);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'playback.maturity' });
    const overstated = await start(through('vp-kid', true, 'NC-17'), 'vp-kid', rated);
    expect(overstated.json()).toMatchObject({ code: 'playback.maturity' });
    expect(h.users.profileLookups).toEqual([]);
  });

  it('asks users when the facts are about another profile than the one the start names', async () => {
    const res = await start(through('vp-adult', false, 'NC-17'), 'vp-other-kid', rated);
    expect(res.json()).toMatchObject({ code: 'playback.maturity' });
    expect(h.users.profileLookups).toEqual(['vp-other-kid']);
  });

  it('ignores malformed facts (users is asked) and refuses facts without the service token', async () => {
    // An adult rating on a kids profile the facts misstate as malformed: ignored, so users' answer holds.
    await h.ctx.cache.delete('streaming:profile:vp-kid');
    const malformed = await start(through('vp-kid', false, 'NC-17'), 'vp-kid', rated, {
      [IDENTITY_HEADERS.profileKids]: 'no',
    });
    expect(malformed.json()).toMatchObject({ code: 'playback.maturity' });
    expect(h.users.profileLookups).toEqual(['vp-kid']);

    const forged = await h.service.app.inject({
      method: 'POST',
      url: '/api/playback',
      headers: identityHeaders(through('vp-kid', false, 'NC-17')),
      payload: { profileId: 'vp-kid', titleId: rated },
    });
    expect(forged.statusCode).toBe(401);
  });
});
