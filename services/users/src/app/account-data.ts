import { NotFoundError, type Logger } from '@marquee/core';
import { enqueue } from '@marquee/platform';
import { lockAccount } from '../store/accounts-store.js';
import { accountSessions, deleteAccountRow, profileRecords } from '../store/account-data-store.js';
import { fromFlag } from '../store/executor.js';
import { listProfiles } from '../store/profiles-store.js';
import { revokeAccountSessions } from '../store/sessions-store.js';
import { confirmAccountHolder, type HolderProof } from './account-confirmation.js';
import { getAccount } from './accounts.js';
import type { UsersAppContext } from './context.js';
import { accountDeleted } from './events.js';

/** What another service holds about an account, as its owner may read it (streaming's playback sessions). */
export type HolderExport = (accountId: string) => Promise<{ service: string; data: unknown }>;

/**
 * "Your data" (issue 17 item 6): the owner downloads everything Marquee holds about the account, and
 * deletes it. Deletion removes users' rows in one transaction (the account row; profiles, lists,
 * ratings, history, sessions, links and PIN state cascade) and writes `account.deleted` to the outbox
 * in the same transaction, so every other holder hears of it exactly when the rows are gone.
 */
export class AccountData {
  constructor(
    private readonly ctx: UsersAppContext,
    private readonly deps: { holders: HolderExport[]; logger: Logger },
  ) {}

  async export(accountId: string): Promise<Record<string, unknown>> {
    const db = this.ctx.db.write;
    const account = await getAccount(this.ctx, accountId);
    const profiles = await listProfiles(db, accountId);
    const [records, sessions, elsewhere] = await Promise.all([
      profileRecords(
        db,
        profiles.map((p) => p.profile_id),
      ),
      accountSessions(db, accountId),
      Promise.all(this.deps.holders.map((holder) => holder(accountId))),
    ]);
    const of = <T extends { profile_id: string }>(rows: T[], profileId: string) =>
      rows.filter((r) => r.profile_id === profileId);
    return {
      exportedAt: this.ctx.clock().toISOString(),
      account,
      profiles: profiles.map((p) => ({
        profileId: p.profile_id,
        name: p.name,
        kids: fromFlag(p.kids),
        maxMaturity: p.max_maturity,
        createdAt: p.created_at,
        // That a PIN is set and when; never the PIN or its hash.
        pinSetAt: p.pin_set_at,
        myList: of(records.list, p.profile_id).map((r) => ({ titleId: r.title_id, addedAt: r.added_at })),
        ratings: of(records.ratings, p.profile_id).map((r) => ({
          titleId: r.title_id,
          rating: r.rating,
          ratedAt: r.rated_at,
        })),
        viewingHistory: of(records.history, p.profile_id).map((r) => ({
          titleId: r.title_id,
          position: r.position,
          duration: r.duration,
          completed: fromFlag(r.completed),
          startedAt: r.started_at,
          lastWatchedAt: r.event_time,
        })),
      })),
      sessions: sessions.map((s) => ({
        sessionId: s.session_id,
        createdAt: s.created_at,
        lastUsedAt: s.last_used_at,
        expiresAt: s.expires_at,
        userAgent: s.user_agent,
        endedAt: s.revoked_at,
        endedBecause: s.revoked_reason,
      })),
      elsewhere: Object.fromEntries(elsewhere.map((e) => [e.service, e.data])),
    };
  }

  /** Confirmed by the holder's proof; afterwards the account cannot sign in and its tokens stop at once. */
  async delete(accountId: string, proof: HolderProof): Promise<void> {
    await confirmAccountHolder(this.ctx, accountId, proof);
    const ended = await this.ctx.db.transaction(async (trx) => {
      if (!(await lockAccount(trx, this.ctx.db.dialect, accountId)))
        throw new NotFoundError('account', accountId);
      const profileIds = (await listProfiles(trx, accountId)).map((p) => p.profile_id);
      const sessions = await revokeAccountSessions(
        trx,
        accountId,
        'account_deleted',
        this.ctx.clock().toISOString(),
      );
      await enqueue(trx, accountDeleted(accountId, profileIds));
      await deleteAccountRow(trx, accountId);
      return sessions;
    });
    await this.ctx.revocations.revoke(ended);
    this.deps.logger.info({ accountId }, 'account deleted by its owner');
  }
}
