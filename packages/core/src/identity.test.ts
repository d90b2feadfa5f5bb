import { describe, expect, it } from 'vitest';
import {
  IDENTITY_HEADERS,
  identityHeaders,
  requireServiceToken,
  SERVICE_TOKEN_HEADER,
  serviceToken,
  verifiedProfileOf,
  type Identity,
} from './identity.js';
import { createLogger } from './logger.js';
import { createServiceServer } from './server.js';

const SECRET = 'identity-test-secret-0123456789abcdef';
const viewer: Identity = {
  accountId: 'acc-1',
  role: 'viewer',
  plan: 'standard',
  profile: { profileId: 'p-kid', kids: true, maxMaturity: 'PG' },
};

/** A service behind requireServiceToken that answers the identity it was given. */
function service() {
  const { app } = createServiceServer({ name: 'things', logger: createLogger({ level: 'silent' }) });
  requireServiceToken(app, SECRET);
  app.get('/api/whoami', async (req) => ({ identity: req.identity ?? null }));
  return app;
}

describe('identity headers', () => {
  it('carry a verified profile through requireServiceToken unchanged', async () => {
    const res = await service().inject({
      url: '/api/whoami',
      headers: { [SERVICE_TOKEN_HEADER]: serviceToken(SECRET), ...identityHeaders(viewer) },
    });
    expect(res.json()).toEqual({ identity: viewer });
  });

  it('are refused without the service token, profile facts included', async () => {
    const res = await service().inject({ url: '/api/whoami', headers: identityHeaders(viewer) });
    expect(res.statusCode).toBe(401);
    const wrong = await service().inject({
      url: '/api/whoami',
      headers: {
        [SERVICE_TOKEN_HEADER]: serviceToken('another-secret-0123456789abcdef'),
        ...identityHeaders(viewer),
      },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('ignore a partial or malformed profile instead of trusting part of it', () => {
    const good = identityHeaders(viewer);
    expect(verifiedProfileOf(good)).toEqual(viewer.profile);
    const broken = [
      { [IDENTITY_HEADERS.profileMaxMaturity]: 'X' },
      { [IDENTITY_HEADERS.profileMaxMaturity]: 'pg' },
      { [IDENTITY_HEADERS.profileKids]: 'yes' },
      { [IDENTITY_HEADERS.profileKids]: undefined },
      { [IDENTITY_HEADERS.profileId]: '' },
      { [IDENTITY_HEADERS.profileId]: 'p'.repeat(129) },
      { [IDENTITY_HEADERS.profileId]: ['p-1', 'p-2'] },
    ];
    for (const change of broken) expect(verifiedProfileOf({ ...good, ...change })).toBeUndefined();
  });

  it('leave the identity without a profile when its facts are malformed', async () => {
    const res = await service().inject({
      url: '/api/whoami',
      headers: {
        [SERVICE_TOKEN_HEADER]: serviceToken(SECRET),
        ...identityHeaders(viewer),
        [IDENTITY_HEADERS.profileMaxMaturity]: 'anything',
      },
    });
    expect(res.json()).toEqual({ identity: { accountId: 'acc-1', role: 'viewer', plan: 'standard' } });
  });
});
