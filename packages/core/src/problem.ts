import { DomainError } from './errors.js';

/** RFC 9457 problem details, as answered by every Marquee service. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  [extension: string]: unknown;
}

interface CatalogEntry {
  status: number;
  title: string;
}

/**
 * The one catalogue from error code to HTTP status. Services add their own codes at start-up with
 * registerProblem; an unknown DomainError code is a 400 whose code is still stable.
 */
const catalogue = new Map<string, CatalogEntry>([
  ['validation', { status: 400, title: 'Request is not valid' }],
  ['bad_request', { status: 400, title: 'Bad request' }],
  ['unauthorized', { status: 401, title: 'Authentication required' }],
  ['forbidden', { status: 403, title: 'Forbidden' }],
  ['not_found', { status: 404, title: 'Not found' }],
  ['conflict', { status: 409, title: 'Conflict' }],
  ['payload_too_large', { status: 413, title: 'Payload too large' }],
  ['rate_limited', { status: 429, title: 'Too many requests' }],
  ['internal', { status: 500, title: 'Internal error' }],
  ['upstream.unavailable', { status: 503, title: 'A service is unavailable' }],
  ['upstream.overloaded', { status: 503, title: 'A service is overloaded' }],
  ['upstream.timeout', { status: 504, title: 'A service did not answer in time' }],
  ['not_ready', { status: 503, title: 'Service is not ready' }],
  ['config.invalid', { status: 500, title: 'Invalid configuration' }],
]);

export function registerProblem(code: string, status: number, title: string): void {
  catalogue.set(code, { status, title });
}

export function problemType(code: string): string {
  return `urn:marquee:problem:${code}`;
}

export function toProblem(error: DomainError, instance?: string): Problem {
  const entry = catalogue.get(error.code) ?? { status: 400, title: 'Request refused' };
  return {
    ...error.details,
    type: problemType(error.code),
    title: entry.title,
    status: entry.status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
  };
}

export function problem(code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return toProblem(new DomainError(code, detail, extra));
}
