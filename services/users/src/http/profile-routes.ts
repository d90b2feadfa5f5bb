import type { FastifyInstance } from 'fastify';
import { documented } from './documented.js';
import { requireIdentity } from '@marquee/core';
import type { UsersAppContext } from '../app/context.js';
import { changeProfile, createProfile, listAccountProfiles, removeProfile } from '../app/profiles.js';
import { Items, NewProfileBody, ProfileParams, ProfilePatchBody, ProfileSchema } from './schemas.js';

/** Profiles of the signed-in account: at most five, ownership checked on every call. */
export function profileRoutes(app: FastifyInstance, ctx: UsersAppContext): void {
  app.get(
    '/api/profiles',
    {
      schema: documented('The account’s profiles', ['profiles'], { response: { 200: Items(ProfileSchema) } }),
    },
    async (req) => ({ items: await listAccountProfiles(ctx, requireIdentity(req).accountId) }),
  );

  app.post<{ Body: NewProfileBody }>(
    '/api/profiles',
    {
      schema: documented('Create a profile (at most 5; kids profiles at most PG)', ['profiles'], {
        body: NewProfileBody,
        response: { 201: ProfileSchema },
      }),
    },
    async (req, reply) =>
      reply.status(201).send(await createProfile(ctx, requireIdentity(req).accountId, req.body)),
  );

  app.patch<{ Params: ProfileParams; Body: ProfilePatchBody }>(
    '/api/profiles/:profileId',
    {
      schema: documented('Rename a profile or change its kids flag and maturity ceiling', ['profiles'], {
        params: ProfileParams,
        body: ProfilePatchBody,
        response: { 200: ProfileSchema },
      }),
    },
    async (req) => changeProfile(ctx, requireIdentity(req).accountId, req.params.profileId, req.body),
  );

  app.delete<{ Params: ProfileParams }>(
    '/api/profiles/:profileId',
    {
      schema: documented('Delete a profile with its list, ratings and history', ['profiles'], {
        params: ProfileParams,
      }),
    },
    async (req, reply) => {
      await removeProfile(ctx, requireIdentity(req).accountId, req.params.profileId);
      return reply.status(204).send();
    },
  );
}
