import type { FastifyInstance } from 'fastify';
import { DomainError } from '@marquee/core';

/**
 * A refusal that says when to come back (a domain error carrying `retryAfterSeconds`, as a cache
 * outage does) is answered with Retry-After as well as the problem body.
 */
export function answerRetryAfter(app: FastifyInstance): void {
  app.addHook('onError', async (_req, reply, error) => {
    const seconds = error instanceof DomainError ? error.details.retryAfterSeconds : undefined;
    if (typeof seconds === 'number') void reply.header('retry-after', String(seconds));
  });
}
