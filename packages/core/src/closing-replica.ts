import { CORRELATION_HEADER } from './context.js';

/**
 * Whether an answer is a shutting-down replica's refusal: Fastify's `return503OnClosing` answer (503,
 * `Connection: close`, a plain JSON body), given to a request that reached an open connection after
 * the server began to close — before routing, so no hook and no handler ran and nothing was done.
 *
 * Told apart from a 503 that a handler chose (an outage answered as problem+json, a chaos proxy's
 * injected error) by what the early path leaves out: every routed answer of createServiceServer carries
 * the request id (its onRequest hook sets it) and our problems are `application/problem+json`.
 *
 * Such a request is safe to send again to another instance whatever its method — the rolling-restart
 * experiment's only first-attempt failures were these (docs/chaos.md).
 */
export function isClosingAnswer(
  status: number,
  headers: Record<string, string | string[] | undefined>,
): boolean {
  if (status !== 503 || headers[CORRELATION_HEADER] !== undefined) return false;
  const connection = String(headers.connection ?? '').toLowerCase();
  const type = String(headers['content-type'] ?? '');
  return connection.includes('close') && type.startsWith('application/json');
}

/** A request carrying an `Idempotency-Key` asks to be treated as idempotent whatever its method. */
export function hasIdempotencyKey(
  headers: Record<string, string | string[] | undefined> | undefined,
): boolean {
  if (!headers) return false;
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'idempotency-key') return true;
  return false;
}
