import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from '@marquee/core';
import type { Cache, Database, EventBus, Subscription } from '@marquee/platform';
import type { StreamingTables } from '../store/tables.js';
import { Id } from '../http/schemas.js';
import { leaseKey } from '../app/playback.js';

/** Its own group: a slow deletion never holds up asset events, and each is acknowledged on its own. */
export const ACCOUNT_DATA_GROUP = 'streaming-account-data';
const AccountParams = Type.Object({ accountId: Id });

/** The account's playback sessions as its owner may read them (users' "your data" export asks). */
export function accountDataRoutes(app: FastifyInstance, db: Database<StreamingTables>): void {
  app.get<{ Params: Static<typeof AccountParams> }>(
    '/internal/accounts/:accountId/playback-sessions',
    { config: { openapi: false }, schema: { params: AccountParams } },
    async (req) => ({
      items: (
        await db.write
          .selectFrom('playback_sessions')
          .select([
            'session_id',
            'profile_id',
            'title_id',
            'position',
            'created_at',
            'expires_at',
            'stopped_at',
          ])
          .where('account_id', '=', req.params.accountId)
          .orderBy('created_at')
          .execute()
      ).map((s) => ({
        sessionId: s.session_id,
        profileId: s.profile_id,
        titleId: s.title_id,
        position: s.position,
        startedAt: s.created_at,
        expiresAt: s.expires_at,
        stoppedAt: s.stopped_at,
      })),
    }),
  );
}

/**
 * `account.deleted`: the account's playback sessions and its stream leases go. Idempotent (a second
 * delivery deletes nothing), so at-least-once delivery is enough.
 */
export function startAccountDeletion(deps: {
  bus: EventBus;
  db: Database<StreamingTables>;
  cache: Pick<Cache, 'leases'>;
  logger: Logger;
}): Promise<Subscription> {
  return deps.bus.subscribe({
    group: ACCOUNT_DATA_GROUP,
    types: ['account.deleted'],
    handler: async ({ event }) => {
      // Typed by the catalogue: the bus delivers only data that passed the contract schema of account.deleted.
      const { accountId } = event.data;
      const result = await deps.db.write
        .deleteFrom('playback_sessions')
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      const key = leaseKey(accountId);
      for (const holder of await deps.cache.leases.holders(key)) await deps.cache.leases.release(key, holder);
      deps.logger.info(
        { accountId, sessions: Number(result.numDeletedRows) },
        'deleted account’s sessions removed',
      );
    },
  });
}
