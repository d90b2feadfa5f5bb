import { ValidationError } from '@marquee/core';

// Lower-case so PostgreSQL never needs quoting, at most 63 bytes (PostgreSQL's identifier limit), and
// nothing a file system or a SQL statement could misread: the name becomes a file name and a schema.
const SERVICE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Checks that a service name can serve as its SQLite file name and its PostgreSQL schema name.
 * Names PostgreSQL reserves (`pg_*`, `information_schema`) and `public` (shared by everyone) are refused.
 */
export function assertServiceName(service: string): string {
  if (!SERVICE_NAME.test(service)) {
    throw new ValidationError(
      `invalid database service name ${JSON.stringify(service)}: use 1-63 lower-case letters, digits and underscores, starting with a letter`,
      { service },
    );
  }
  if (service.startsWith('pg_') || service === 'information_schema' || service === 'public') {
    throw new ValidationError(`database service name ${JSON.stringify(service)} is reserved by PostgreSQL`, {
      service,
    });
  }
  return service;
}
