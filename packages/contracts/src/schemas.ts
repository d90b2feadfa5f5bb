import { Type } from '@sinclair/typebox';
import { MATURITY_RATINGS } from './maturity.js';
import { PLAN_NAMES, ROLES } from './plans.js';

/**
 * TypeBox schemas of the shared facts, built from their one list so a request, response or event
 * schema cannot accept a rating, plan or role the rest of the platform does not know.
 */
export const MaturitySchema = Type.Union(MATURITY_RATINGS.map((m) => Type.Literal(m)));
export const PlanSchema = Type.Union(PLAN_NAMES.map((p) => Type.Literal(p)));
export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
