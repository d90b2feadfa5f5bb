import { createServiceServer, requireServiceToken, type ServiceModule } from '@marquee/core';
import type { ServiceContext } from '@marquee/platform';

/** The edge service. Skeleton: it only reports ready until its issue lands. */
export async function buildEdge(ctx: ServiceContext): Promise<ServiceModule> {
  const { app } = createServiceServer({ name: 'edge', logger: ctx.logger });
  requireServiceToken(app, ctx.secret);
  return { name: 'edge', app, start: async () => {}, stop: async () => {} };
}
