import { DomainError } from '@marquee/core';

/**
 * Telling a dependency's outage from a poison event. A handler that failed because Redis, PostgreSQL,
 * another service or the network did not answer says nothing about its event: it would fail the same
 * way on any event, and succeed on this one once the dependency is back. Such a failure must not use up
 * the event's deliveries (issue 13: a 7 s Redis outage sent 8 events to the dead letters); a failure
 * on the event's content must, so that a poison event still ends in the dead letters.
 */

/** Node's and undici's connection-level codes: nothing was answered, the peer is down or unreachable. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * PostgreSQL SQLSTATEs of a server that is going or not there yet: class 08 (connection exception),
 * 57P01–57P03 (admin or crash shutdown, cannot connect now), 53300 (too many connections).
 */
const POSTGRES_OUTAGE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/**
 * Messages of the clients we use that carry no code: ioredis with its connection down ("Connection is
 * closed.", its commandTimeout, its retry limit), node-postgres and pg-pool losing or not getting a
 * connection.
 */
const OUTAGE_MESSAGES = [
  /^Connection is closed\.?$/,
  /^Command timed out$/,
  /^Reached the max retries per request limit/,
  /^Stream isn't writeable/,
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/i,
  /^Client has encountered a connection error/,
];

const OUTAGE_NAMES = new Set(['MaxRetriesPerRequestError', 'ConnectionTimeoutError']);

/**
 * Whether `err` (or an error it wraps, through `cause` or an AggregateError) says a dependency is
 * unreachable rather than that the handler cannot process its event: a domain error whose code is
 * `*.unavailable` (`cache.unavailable`, `db.unavailable`, `upstream.unavailable`…) or
 * `upstream.timeout`/`upstream.overloaded`, a connection error, or one of the clients' "not
 * connected" errors. Any other error — a bug, a constraint, bad data — is the event's.
 *
 * @example
 *   isDependencyOutage(new Error('Connection is closed.')); // true (ioredis, Redis down)
 *   isDependencyOutage(new ValidationError('bad title'));   // false
 */
export function isDependencyOutage(err: unknown, depth = 0): boolean {
  if (depth > 4 || err === null || typeof err !== 'object') return false;
  if (err instanceof DomainError) {
    return (
      /\.unavailable$/.test(err.code) || err.code === 'upstream.timeout' || err.code === 'upstream.overloaded'
    );
  }
  const { code, name, message, cause } = err as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || POSTGRES_OUTAGE.test(code))) return true;
  if (typeof name === 'string' && OUTAGE_NAMES.has(name)) return true;
  if (typeof message === 'string' && OUTAGE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (err instanceof AggregateError && err.errors.some((inner) => isDependencyOutage(inner, depth + 1)))
    return true;
  return cause !== undefined && isDependencyOutage(cause, depth + 1);
}

/** The first wait after an outage failure; it doubles with each try. */
export const OUTAGE_FIRST_DELAY_MS = 100;
/** The longest wait between tries while a dependency is down. */
export const OUTAGE_MAX_DELAY_MS = 5_000;

/**
 * Wait before the `attempt`-th try again (1 after the first failure): capped exponential, and never
 * more than a third of the ack timeout, since the event's lease is extended before each wait.
 */
export function outageRetryDelayMs(attempt: number, ackTimeoutMs: number): number {
  const cap = Math.max(10, Math.min(OUTAGE_MAX_DELAY_MS, Math.floor(ackTimeoutMs / 3)));
  return Math.min(OUTAGE_FIRST_DELAY_MS * 2 ** Math.max(0, Math.min(attempt - 1, 20)), cap);
}
