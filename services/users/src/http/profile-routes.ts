import type { FastifyInstance, FastifyRequest } from 'fastify';
import { documented, requireIdentity } from '@marquee/core';
import type { UsersAppContext } from '../app/context.js';
import { refuseKidsProfileManaging } from '../app/acting-profile.js';
import { changeProfile, createProfile, listAccountProfiles, removeProfile } from '../app/profiles.js';
import { Type } from '@sinclair/typebox';
import { Id, Items, NewProfileBody, ProfileParams, ProfilePatchBody, ProfileSchema } from './schemas.js';

/** Optional: the profile the client acts as; a kids one is refused changes (403). */
const ActingProfileHeaders = Type.Object({
  'marquee-profile': Type.Optional(Id),
});

/**
 * Profiles of the signed-in account: at most five, ownership checked on every call. Changes are
 * refused to a client acting as a kids profile (the `Marquee-Profile` header, app/acting-profile.ts).
 * `forgetProfile` drops the gateway's cached copy of a changed or deleted profile: the gateway forwards
 * its kids flag and maturity ceiling to streaming (issue 21 §5), so a lowered ceiling applies to the
 * very next Play instead of after the cache's 10 s.
 */
export function profileRoutes(
  app: FastifyInstance,
  ctx: UsersAppContext,
  forgetProfile: (profileId: string) => Promise<void>,
): void {
  // The change is stored: a cache that cannot be reached only delays it to the cached copy's expiry.
  const forget = (req: FastifyRequest, profileId: string) =>
    forgetProfile(profileId).catch((err: unknown) =>
      req.log.warn({ err, profileId }, 'could not drop the cached profile; it lapses within 10 s'),
    );
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
        headers: ActingProfileHeaders,
        body: NewProfileBody,
        response: { 201: ProfileSchema },
      }),
    },
    async (req, reply) => {
      const { accountId } = requireIdentity(req);
      await refuseKidsProfileManaging(ctx, accountId, req.headers);
      return reply.status(201).send(await createProfile(ctx, accountId, req.body));
    },
  );

  app.patch<{ Params: ProfileParams; Body: ProfilePatchBody }>(
    '/api/profiles/:profileId',
    {
      schema: documented('Rename a profile or change its kids flag and maturity ceiling', ['profiles'], {
        params: ProfileParams,
        headers: ActingProfileHeaders,
        body: ProfilePatchBody,
        response: { 200: ProfileSchema },
      }),
    },
    async (req) => {
      const { accountId } = requireIdentity(req);
      await refuseKidsProfileManaging(ctx, accountId, req.headers);
      const changed = await changeProfile(ctx, accountId, req.params.profileId, req.body);
      await forget(req, changed.profileId);
      return changed;
    },
  );

  app.delete<{ Params: ProfileParams }>(
    '/api/profiles/:profileId',
    {
      schema: documented('Delete a profile with its list, ratings and history', ['profiles'], {
        params: ProfileParams,
        headers: ActingProfileHeaders,
      }),
    },
    async (req, reply) => {
      const { accountId } = requireIdentity(req);
      await refuseKidsProfileManaging(ctx, accountId, req.headers);
      await removeProfile(ctx, accountId, req.params.profileId);
      await forget(req, req.params.profileId);
      return reply.status(204).send();
    },
  );
}
