import { createServiceServer, requireServiceToken, type ServiceModule } from '@marquee/core';
import type { ServiceContext } from '@marquee/platform';

/** The storage service. Skeleton: it only reports ready until its issue lands. */
export async function buildStorage(ctx: ServiceContext): Promise<ServiceModule> {
  const { app } = createServiceServer({ name: 'storage', logger: ctx.logger });
  requireServiceToken(app, ctx.secret);
  return { name: 'storage', app, start: async () => {}, stop: async () => {} };
}
