import { REQUEST_REFUSED, type ProblemCodes } from '@marquee/core';

/**
 * The ports' problem codes, for every service's server. A shared cache that does not answer is an outage
 * (503; streaming refuses what needs its stream lease with it). The others were never given an answer of
 * their own — a database, event log or blob store failing is not the caller's fault — and answer as an
 * unknown code does, as they did before the catalogues: a 503 for the `*.unavailable` ones is a
 * behaviour change of its own.
 */
export const platformProblems = {
  'cache.unavailable': { status: 503, title: 'A shared cache is unavailable' },
  'cache.not_a_counter': REQUEST_REFUSED,
  'cache.contention': REQUEST_REFUSED,
  'db.unavailable': REQUEST_REFUSED,
  'db.migration_failed': REQUEST_REFUSED,
  'event.invalid': REQUEST_REFUSED,
  'event.type_conflict': REQUEST_REFUSED,
  'events.unavailable': REQUEST_REFUSED,
  'events.lease_lost': REQUEST_REFUSED,
  'blob.invalid_key': REQUEST_REFUSED,
  'blob.range_not_satisfiable': REQUEST_REFUSED,
  'blob.key_conflict': REQUEST_REFUSED,
  'blob.unavailable': REQUEST_REFUSED,
  'blob.corrupt': REQUEST_REFUSED,
} as const satisfies ProblemCodes;
