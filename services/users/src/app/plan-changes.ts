import { ConflictError, NotFoundError, type Plan } from '@marquee/core';
import { findAccount, updatePlan } from '../store/accounts-store.js';
import type { Executor } from '../store/executor.js';
import {
  deletePlanChange,
  findPlanChange,
  listPlanChanges,
  upsertPlanChange,
} from '../store/plan-changes-store.js';
import { getAccount, type AccountView } from './accounts.js';
import type { Billing, PlanRequest } from './billing.js';
import type { UsersAppContext } from './context.js';

export interface PlanChangeAnswer {
  /** The account as it is now: its plan changed only when billing granted the request. */
  account: AccountView;
  /** Set when the request waits for the operator or a payment; what happens next. */
  pending?: string;
}

export interface PendingPlanChange {
  accountId: string;
  email: string;
  plan: Plan;
  requestedPlan: Plan;
  detail: string;
  requestedAt: string;
}

/**
 * Asks billing for `request`: applies a grant, records a pending request (replacing an older one), and
 * forgets any pending request when the account asks for what it already has. Runs inside the caller's
 * transaction at sign-up (`db` is then the transaction).
 */
export async function askBilling(
  billing: Billing,
  db: Executor,
  request: PlanRequest,
  now: string,
): Promise<{ plan: Plan; pending?: string }> {
  if (request.requestedPlan === request.currentPlan) {
    await deletePlanChange(db, request.accountId);
    return { plan: request.currentPlan };
  }
  const decision = await billing.decide(request);
  if (decision.outcome === 'granted') {
    await deletePlanChange(db, request.accountId);
    return { plan: request.requestedPlan };
  }
  if (decision.outcome === 'refused') throw new ConflictError('plan.refused', decision.detail);
  await upsertPlanChange(db, {
    account_id: request.accountId,
    requested_plan: request.requestedPlan,
    detail: decision.detail,
    requested_at: now,
  });
  return { plan: request.currentPlan, pending: decision.detail };
}

/** A viewer asks for another plan (PUT /api/account/plan): granted, pending or refused by billing. */
export async function requestPlan(
  ctx: UsersAppContext,
  accountId: string,
  plan: Plan,
): Promise<PlanChangeAnswer> {
  const now = ctx.clock().toISOString();
  const answer = await ctx.db.transaction(async (trx) => {
    const account = await findAccount(trx, accountId);
    if (!account) throw new NotFoundError('account', accountId);
    const decided = await askBilling(
      ctx.billing,
      trx,
      { accountId, email: account.email, currentPlan: account.plan, requestedPlan: plan, at: 'change' },
      now,
    );
    if (decided.plan !== account.plan) await updatePlan(trx, accountId, decided.plan, now);
    return decided;
  });
  return {
    account: await getAccount(ctx, accountId),
    ...(answer.pending ? { pending: answer.pending } : {}),
  };
}

export async function pendingPlanChanges(ctx: UsersAppContext, limit: number): Promise<PendingPlanChange[]> {
  return (await listPlanChanges(ctx.db.read, limit)).map((row) => ({
    accountId: row.account_id,
    email: row.email,
    plan: row.plan,
    requestedPlan: row.requested_plan,
    detail: row.detail,
    requestedAt: row.requested_at,
  }));
}

/**
 * The operator (or a payment provider's confirmation) settles a pending request: approved, the account
 * moves to the requested plan (access tokens carry it from the next refresh); declined, it stays.
 */
export async function settlePlanChange(
  ctx: UsersAppContext,
  accountId: string,
  approve: boolean,
): Promise<AccountView> {
  const now = ctx.clock().toISOString();
  await ctx.db.transaction(async (trx) => {
    const pending = await findPlanChange(trx, accountId);
    if (!pending) throw new NotFoundError('plan change', accountId);
    await deletePlanChange(trx, accountId);
    if (approve) await updatePlan(trx, accountId, pending.requested_plan, now);
  });
  return getAccount(ctx, accountId);
}
