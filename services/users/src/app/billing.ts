import { PLAN_NAMES, type Plan } from '@marquee/contracts';

/** An account asking for a plan: at sign-up, or later from its account page. */
export interface PlanRequest {
  accountId: string;
  email: string;
  /** The plan the account has now (at sign-up: the plan it would start on). */
  currentPlan: Plan;
  requestedPlan: Plan;
  at: 'signup' | 'change';
}

/**
 * What the billing side decides. `granted`: apply now. `pending`: not yet — the operator approves it
 * (OperatorBilling) or a payment provider confirms it later (its webhook calls `settlePlanChange`);
 * `detail` tells the viewer what happens next (a checkout URL, "waiting for approval"). `refused`: never.
 */
export type PlanDecision =
  { outcome: 'granted' } | { outcome: 'pending'; detail: string } | { outcome: 'refused'; detail: string };

/**
 * The billing port: who decides which plan an account gets. Viewers never grant themselves a plan;
 * users asks this port, applies what it grants and records what is pending. A payment provider is an
 * adapter: it answers `pending` with its checkout, and confirms (or cancels) through the users service
 * once paid. Passed to buildUsers as `options.billing`; the default is OperatorBilling.
 *
 * @example
 *   class StripeBilling implements Billing {
 *     startingPlan() { return 'basic' as const; }
 *     async decide(request: PlanRequest): Promise<PlanDecision> {
 *       if (planRank(request.requestedPlan) <= planRank(request.currentPlan)) return { outcome: 'granted' };
 *       const checkout = await stripe.checkout.sessions.create({ … });
 *       return { outcome: 'pending', detail: `Pay at ${checkout.url}` };
 *     }
 *   }
 */
export interface Billing {
  /** The plan every new account starts on, whatever it asks for. */
  startingPlan(): Plan;
  decide(request: PlanRequest): Promise<PlanDecision>;
}

/** basic < standard < premium. */
export function planRank(plan: Plan): number {
  return PLAN_NAMES.indexOf(plan);
}

/**
 * The default adapter: the operator decides. New accounts start on the configured plan
 * (BILLING_DEFAULT_PLAN); asking for less is granted at once (it takes nothing from anyone), asking
 * for more waits for an admin's approval (`POST /api/admin/plan-changes/:accountId`).
 */
export class OperatorBilling implements Billing {
  constructor(private readonly defaultPlan: Plan) {}

  startingPlan(): Plan {
    return this.defaultPlan;
  }

  async decide(request: PlanRequest): Promise<PlanDecision> {
    if (planRank(request.requestedPlan) <= planRank(request.currentPlan)) return { outcome: 'granted' };
    return {
      outcome: 'pending',
      detail: `The ${request.requestedPlan} plan is granted by the operator; your request is waiting for approval`,
    };
  }
}
