import { createServiceServer, requireServiceToken, type ServiceModule } from '@marquee/core';
import type { ServiceContext } from '@marquee/platform';

/** The streaming service. Skeleton: it only reports ready until its issue lands. */
export async function buildStreaming(ctx: ServiceContext): Promise<ServiceModule> {
  const { app } = createServiceServer({ name: 'streaming', logger: ctx.logger });
  requireServiceToken(app, ctx.secret);
  return { name: 'streaming', app, start: async () => {}, stop: async () => {} };
}
