import type { FastifyReply } from 'fastify';
import { problem, toProblem, type DomainError } from '@marquee/core';

/**
 * Sends a problem+json with extra headers (Retry-After, WWW-Authenticate) — the error handler of the
 * server factory answers thrown errors but knows nothing of these headers.
 */
export function sendProblem(
  reply: FastifyReply,
  error: DomainError | { code: string; detail: string; extra?: Record<string, unknown> },
  headers: Record<string, string> = {},
): FastifyReply {
  const body =
    'detail' in error
      ? problem(error.code, error.detail, error.extra)
      : toProblem(error, reply.request.url.split('?')[0]);
  return reply.status(body.status).headers(headers).type('application/problem+json').send(body);
}
