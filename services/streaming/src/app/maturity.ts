/** Maturity ratings and plans are defined once, by users; streaming enforces them. */
export {
  MATURITY_RATINGS,
  KIDS_MAX_MATURITY,
  isMaturity,
  maturityAllows,
  maturityRank,
  type Maturity,
} from '@marquee/users/maturity';
export { planLimits, type PlanLimits } from '@marquee/users/plans';
