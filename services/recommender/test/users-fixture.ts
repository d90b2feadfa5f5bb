import { serviceToken, SERVICE_TOKEN_HEADER } from '@marquee/core';
import Fastify, { type FastifyInstance } from 'fastify';

export interface FixtureProfile {
  name: string;
  kids: boolean;
  maxMaturity: string;
}

/**
 * A real HTTP server standing in for the users service's internal API in recommender tests: the
 * contract the recommender relies on (paths, service token, shapes), with state the test controls.
 */
export interface UsersFixture {
  url: string;
  profiles: Map<string, FixtureProfile>;
  continueWatching: Map<string, { titleId: string; position: number; duration: number }[]>;
  lists: Map<string, string[]>;
  /** Requests answered, per path kind. */
  calls: { profile: number; continueWatching: number; list: number };
  /** When set, every call answers this status. */
  failWith: number | undefined;
  close(): Promise<void>;
}

export async function startUsersFixture(secret: string): Promise<UsersFixture> {
  const app: FastifyInstance = Fastify();
  const expected = serviceToken(secret);
  const fixture: Omit<UsersFixture, 'url' | 'close'> = {
    profiles: new Map(),
    continueWatching: new Map(),
    lists: new Map(),
    calls: { profile: 0, continueWatching: 0, list: 0 },
    failWith: undefined,
  };
  app.addHook('onRequest', async (req, reply) => {
    if (req.headers[SERVICE_TOKEN_HEADER] !== expected) return reply.status(401).send({ status: 401 });
    if (fixture.failWith) return reply.status(fixture.failWith).send({ status: fixture.failWith });
  });
  app.get<{ Params: { profileId: string } }>('/internal/profiles/:profileId', async (req, reply) => {
    fixture.calls.profile++;
    const profile = fixture.profiles.get(req.params.profileId);
    if (!profile) return reply.status(404).send({ status: 404 });
    return { profileId: req.params.profileId, ...profile };
  });
  app.get<{ Params: { profileId: string } }>(
    '/internal/profiles/:profileId/continue-watching',
    async (req) => {
      fixture.calls.continueWatching++;
      return { items: fixture.continueWatching.get(req.params.profileId) ?? [] };
    },
  );
  app.get<{ Params: { profileId: string } }>('/internal/profiles/:profileId/list', async (req) => {
    fixture.calls.list++;
    return { items: (fixture.lists.get(req.params.profileId) ?? []).map((titleId) => ({ titleId })) };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return Object.assign(fixture, { url, close: () => app.close() });
}
