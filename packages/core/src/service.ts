import type { FastifyInstance } from 'fastify';

/**
 * What every service package exports from `build<Name>(deps)`: a Fastify app built with
 * createServiceServer (routes registered, not listening), plus start/stop for background work.
 * The runner listens, then calls start(); on shutdown it closes the app (draining requests), then stop().
 */
export interface ServiceModule {
  name: string;
  app: FastifyInstance;
  /** Starts consumers, schedules and other background work; called after the app listens. */
  start(): Promise<void>;
  /** Stops background work and closes the service's own resources; called after the app has closed. */
  stop(): Promise<void>;
}
