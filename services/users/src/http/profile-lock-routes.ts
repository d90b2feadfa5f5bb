import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { documented, requireIdentity, type AccessTokenVerifier } from '@marquee/core';
import { holderProofOf } from '../app/account-confirmation.js';
import { refuseKidsProfileManaging } from '../app/acting-profile.js';
import type { UsersAppContext } from '../app/context.js';
import type { ProfileLocks } from '../app/profile-locks.js';
import { currentSessionId } from './current-session.js';
import { HolderProofFields } from './holder-proof-schema.js';
import { Id, ProfileParams, SessionParams } from './schemas.js';

const Pin = Type.String({ minLength: 4, maxLength: 4, pattern: '^[0-9]{4}$', description: '4 digits' });
const PinBody = Type.Object({ pin: Pin, ...HolderProofFields }, { additionalProperties: false });
const PinRemovalBody = Type.Object(HolderProofFields, { additionalProperties: false });
const UnlockBody = Type.Object({ pin: Pin }, { additionalProperties: false });
const UnlockSchema = Type.Object({
  profileId: Type.String(),
  profileKey: Type.Union([Type.String(), Type.Null()], {
    description:
      'send it as the Marquee-Profile-Key header with every request naming this profile (null: the profile has no PIN)',
  }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const EnterSchema = Type.Object({
  confined: Type.Boolean({
    description: 'this device stays in this kids profile until its PIN is typed (POST …/unlock)',
  }),
});
const ActingProfileHeaders = Type.Object({ 'marquee-profile': Type.Optional(Id) });
type PinBody = Static<typeof PinBody>;
type PinRemovalBody = Static<typeof PinRemovalBody>;
type UnlockBody = Static<typeof UnlockBody>;

/**
 * Profile locks (app/profile-locks.ts). Setting and removing a PIN is the account holder's, confirmed
 * by the password or a fresh single sign-on and refused to a client acting as a kids profile; unlock and enter are per device
 * (the caller's session). The gateway enforces the result on every other request.
 */
export function profileLockRoutes(
  app: FastifyInstance,
  ctx: UsersAppContext,
  locks: ProfileLocks,
  verifier: AccessTokenVerifier,
): void {
  app.put<{ Params: ProfileParams; Body: PinBody }>(
    '/api/profiles/:profileId/pin',
    {
      schema: documented(
        'Set or change the profile’s PIN, confirmed by the account password or a fresh single sign-on (`reauthProof`): an adult profile then opens only with it, a kids profile is left only with it',
        ['profiles'],
        { params: ProfileParams, headers: ActingProfileHeaders, body: PinBody },
      ),
    },
    async (req, reply) => {
      const { accountId } = requireIdentity(req);
      await refuseKidsProfileManaging(ctx, accountId, req.headers);
      await locks.setPin(accountId, req.params.profileId, req.body.pin, holderProofOf(req.body));
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: ProfileParams; Body: PinRemovalBody }>(
    '/api/profiles/:profileId/pin',
    {
      schema: documented(
        'Remove the profile’s PIN, confirmed by the account password or a fresh single sign-on (`reauthProof`)',
        ['profiles'],
        {
          params: ProfileParams,
          headers: ActingProfileHeaders,
          body: PinRemovalBody,
        },
      ),
    },
    async (req, reply) => {
      const { accountId } = requireIdentity(req);
      await refuseKidsProfileManaging(ctx, accountId, req.headers);
      await locks.removePin(accountId, req.params.profileId, holderProofOf(req.body));
      return reply.status(204).send();
    },
  );

  app.post<{ Params: ProfileParams; Body: UnlockBody }>(
    '/api/profiles/:profileId/unlock',
    {
      schema: documented(
        'Type the profile’s PIN on this device: a profile key for a locked profile, and the end of this device’s stay in a kids profile (5 wrong PINs per 15 minutes, then 429)',
        ['profiles'],
        { params: ProfileParams, body: UnlockBody, response: { 200: UnlockSchema } },
      ),
    },
    async (req) =>
      locks.unlock(
        requireIdentity(req).accountId,
        await currentSessionId(req, verifier),
        req.params.profileId,
        req.body.pin,
      ),
  );

  app.post<{ Params: ProfileParams }>(
    '/api/profiles/:profileId/enter',
    {
      schema: documented(
        'This device chose the profile on “Who’s watching?”; a kids profile with a PIN keeps the device in it',
        ['profiles'],
        { params: ProfileParams, response: { 200: EnterSchema } },
      ),
    },
    async (req) =>
      locks.enter(
        requireIdentity(req).accountId,
        await currentSessionId(req, verifier),
        req.params.profileId,
      ),
  );

  app.get<{ Params: SessionParams }>(
    '/internal/sessions/:sessionId/confinement',
    {
      config: { openapi: false },
      schema: {
        params: SessionParams,
        response: { 200: Type.Object({ profileId: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => ({ profileId: await locks.confinement(req.params.sessionId) }),
  );
}
