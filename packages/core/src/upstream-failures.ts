import { errors as undiciErrors } from 'undici';
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { UpstreamError } from './errors.js';

/** A 502/503/504 answer, thrown inside the resilience policies so they count and retry it. */
export class RetryableStatus<R extends { status: number }> extends Error {
  constructor(readonly response: R) {
    super(`status ${response.status}`);
  }
}

export const isRetryableStatus = (status: number) => status === 502 || status === 503 || status === 504;

const errorCode = (e: unknown) => String((e as NodeJS.ErrnoException | undefined)?.code ?? '');

/** Connection-level failures that say the instance itself is gone: eject it instead of waiting for a probe. */
const INSTANCE_DOWN = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']);

export function instanceDownReason(err: unknown): string | undefined {
  const code = errorCode(err);
  return INSTANCE_DOWN.has(code) ? `connection failed: ${code}` : undefined;
}

/** Our own deadline or undici's header/body timers ran out (not the caller giving up). */
export function isTimeout(err: unknown): boolean {
  return (
    (err as Error | undefined)?.name === 'TimeoutError' ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError
  );
}

/** What the breaker counts and retries: bad gateways, network errors and timeouts — not our caller aborting. */
export function isUpstreamFailure(err: Error): boolean {
  return (
    err instanceof RetryableStatus ||
    (err instanceof undiciErrors.UndiciError && !(err instanceof undiciErrors.RequestAbortedError)) ||
    err.name === 'TimeoutError' ||
    errorCode(err) === 'ECONNRESET' ||
    INSTANCE_DOWN.has(errorCode(err))
  );
}

/** The stable problem an upstream failure becomes. */
export function toUpstreamError(service: string, err: unknown): UpstreamError {
  if (err instanceof BrokenCircuitError) {
    return new UpstreamError(
      'upstream.unavailable',
      service,
      `${service} is failing; its circuit breaker is open`,
    );
  }
  if (err instanceof BulkheadRejectedError) {
    return new UpstreamError('upstream.overloaded', service, `${service} has too many calls in flight`);
  }
  const name = (err as Error).name;
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError
  ) {
    return new UpstreamError('upstream.timeout', service, `${service} did not answer in time`);
  }
  return new UpstreamError(
    'upstream.unavailable',
    service,
    `${service} is unreachable: ${(err as Error).message}`,
  );
}
