import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What travels with a unit of work across HTTP calls and events. */
export interface RequestContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Accept an incoming id only when it is short and safe to log and forward; else mint one. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export function acceptOrMintId(candidate: unknown): string {
  return typeof candidate === 'string' && SAFE_ID.test(candidate) ? candidate : randomUUID();
}

export const CORRELATION_HEADER = 'x-request-id';
