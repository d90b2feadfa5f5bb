import { createServiceServer, requireServiceToken, type ServiceModule } from '@marquee/core';
import type { ServiceContext } from '@marquee/platform';

/** The encoder service. Skeleton: it only reports ready until its issue lands. */
export async function buildEncoder(ctx: ServiceContext): Promise<ServiceModule> {
  const { app } = createServiceServer({ name: 'encoder', logger: ctx.logger });
  requireServiceToken(app, ctx.secret);
  return { name: 'encoder', app, start: async () => {}, stop: async () => {} };
}
