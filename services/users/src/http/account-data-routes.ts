import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { documented, requireIdentity } from '@marquee/core';
import { holderProofOf } from '../app/account-confirmation.js';
import type { AccountData } from '../app/account-data.js';
import { HolderProofFields } from './holder-proof-schema.js';

const AccountExport = Type.Object(
  {
    exportedAt: Type.String({ format: 'date-time' }),
    account: Type.Object({}, { additionalProperties: true }),
    profiles: Type.Array(Type.Object({}, { additionalProperties: true }), {
      description: 'each with its My List, ratings and viewing history',
    }),
    sessions: Type.Array(Type.Object({}, { additionalProperties: true })),
    elsewhere: Type.Object(
      {},
      {
        additionalProperties: true,
        description: 'what other services hold, by service (streaming: playback sessions)',
      },
    ),
  },
  { additionalProperties: true },
);
const DeleteBody = Type.Object(HolderProofFields, { additionalProperties: false });

/** "Your data": the owner's export and deletion of the account (app/account-data.ts). */
export function accountDataRoutes(app: FastifyInstance, data: AccountData): void {
  app.get(
    '/api/account/export',
    {
      schema: documented(
        'Everything Marquee holds about the signed-in account, as one JSON download',
        ['account'],
        { response: { 200: AccountExport } },
      ),
    },
    async (req, reply) => {
      const body = await data.export(requireIdentity(req).accountId);
      return reply.header('content-disposition', 'attachment; filename="marquee-account.json"').send(body);
    },
  );

  app.delete<{ Body: Static<typeof DeleteBody> }>(
    '/api/account',
    {
      schema: documented(
        'Delete the account and its personal data in every service, confirmed by the account password or a fresh single sign-on (`reauthProof`); its sessions end at once',
        ['account'],
        { body: DeleteBody },
      ),
    },
    async (req, reply) => {
      await data.delete(requireIdentity(req).accountId, holderProofOf(req.body));
      return reply.status(204).send();
    },
  );
}
