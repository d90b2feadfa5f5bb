import type { ProblemCodes } from './problem.js';

/**
 * Core's problem codes: the generic ones every service answers, the access token's (verified in core
 * for the gateway and every service) and the content key's. Every server answers these; a service adds
 * its own catalogue (`services/<name>/src/app/problems.ts`) when it creates its server.
 */
export const coreProblems = {
  validation: { status: 400, title: 'Request is not valid' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  'upstream.unavailable': { status: 503, title: 'A service is unavailable' },
  'upstream.overloaded': { status: 503, title: 'A service is overloaded' },
  'upstream.timeout': { status: 504, title: 'A service did not answer in time' },
  not_ready: { status: 503, title: 'Service is not ready' },
  'config.invalid': { status: 500, title: 'Invalid configuration' },
  'auth.token_invalid': { status: 401, title: 'Access token is not valid' },
  'auth.token_expired': { status: 401, title: 'Access token has expired' },
  'auth.session_ended': { status: 401, title: 'The session of this access token has ended' },
  // The key's master key is not among MEDIA_MASTER_KEYS (removed too early): the operator's to fix.
  'media.content_key_unavailable': { status: 503, title: 'This video’s key cannot be opened here' },
} as const satisfies ProblemCodes;
