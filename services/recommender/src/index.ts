import { createServiceServer, requireServiceToken, type ServiceModule } from '@marquee/core';
import type { ServiceContext } from '@marquee/platform';

/** The recommender service. Skeleton: it only reports ready until its issue lands. */
export async function buildRecommender(ctx: ServiceContext): Promise<ServiceModule> {
  const { app } = createServiceServer({ name: 'recommender', logger: ctx.logger });
  requireServiceToken(app, ctx.secret);
  return { name: 'recommender', app, start: async () => {}, stop: async () => {} };
}
