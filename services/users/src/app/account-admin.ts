import { ConflictError, DomainError, NotFoundError } from '@marquee/core';
import type { Plan, Role } from '@marquee/contracts';
import {
  findAccount,
  listAccounts,
  setDisabled,
  updatePlan,
  updateRole,
  type AccountRow,
} from '../store/accounts-store.js';
import { revokeSession } from '../store/sessions-store.js';
import type { UsersAppContext } from './context.js';

export class AccountDisabledError extends DomainError {
  constructor() {
    super('auth.account_disabled', 'This account has been disabled; contact the service’s operator');
  }
}

/** What the operator sees of an account. Never the password hash. */
export interface AccountAdminView {
  accountId: string;
  email: string;
  role: Role;
  plan: Plan;
  disabled: boolean;
  createdAt: string;
}

export interface AccountChanges {
  role?: Role;
  plan?: Plan;
  disabled?: boolean;
}

const view = (row: AccountRow): AccountAdminView => ({
  accountId: row.account_id,
  email: row.email,
  role: row.role,
  plan: row.plan,
  disabled: row.disabled_at !== null,
  createdAt: row.created_at,
});

export async function listAccountsForAdmin(
  ctx: Pick<UsersAppContext, 'db'>,
  input: { q?: string; cursor?: string; limit: number },
): Promise<{ items: AccountAdminView[]; nextCursor: string | null }> {
  const after = input.cursor ? Buffer.from(input.cursor, 'base64url').toString('utf8') : undefined;
  const rows = await listAccounts(ctx.db.read, input.q, after, input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(view),
    nextCursor: rows.length > input.limit && last ? Buffer.from(last.email).toString('base64url') : null,
  };
}

/**
 * The operator changes an account's role, plan or whether it may sign in. The plan is set as the
 * operator says (this IS the operator's decision the default billing adapter waits for); disabling
 * ends every session of the account, so its refresh tokens stop at once and its access tokens within
 * their lifetime. An admin cannot disable or demote themselves: the console would lock them out.
 */
export async function changeAccount(
  ctx: Pick<UsersAppContext, 'db' | 'clock'>,
  actingAdminId: string,
  accountId: string,
  changes: AccountChanges,
): Promise<{ account: AccountAdminView; endedSessions: string[] }> {
  if (accountId === actingAdminId && (changes.disabled === true || changes.role === 'viewer')) {
    throw new ConflictError(
      'account.self_change',
      'You cannot disable your own account or remove your admin role',
    );
  }
  const now = ctx.clock().toISOString();
  return ctx.db.transaction(async (trx) => {
    const row = await findAccount(trx, accountId);
    if (!row) throw new NotFoundError('account', accountId);
    if (changes.role && changes.role !== row.role) await updateRole(trx, accountId, changes.role, now);
    if (changes.plan && changes.plan !== row.plan) await updatePlan(trx, accountId, changes.plan, now);
    let endedSessions: string[] = [];
    if (changes.disabled !== undefined && changes.disabled !== (row.disabled_at !== null)) {
      await setDisabled(trx, accountId, changes.disabled ? now : null, now);
      if (changes.disabled) {
        const live = await trx
          .selectFrom('sessions')
          .select('session_id')
          .where('account_id', '=', accountId)
          .where('revoked_at', 'is', null)
          .execute();
        for (const { session_id } of live) await revokeSession(trx, session_id, 'account_disabled', now);
        endedSessions = live.map((s) => s.session_id);
      }
    }
    const updated = await findAccount(trx, accountId);
    return { account: view(updated!), endedSessions };
  });
}
