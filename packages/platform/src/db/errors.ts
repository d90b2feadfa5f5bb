import { DomainError } from '@marquee/core';

/**
 * The database could not be reached or prepared at open. The message names where (host:port, never the
 * credentials; or the SQLite file) and the driver's reason; `setting` tells which option was at fault.
 */
export class DatabaseUnavailableError extends DomainError {
  constructor(where: string, reason: string, setting: 'url' | 'readUrl' | 'dataDir') {
    const verb = setting === 'dataDir' ? 'open' : 'connect to';
    super('db.unavailable', `cannot ${verb} ${where}: ${reason}`, { where, setting });
  }
}

/** A migration failed; the ones before it stay applied (SQLite) or nothing was applied (PostgreSQL). */
export class MigrationError extends DomainError {
  constructor(service: string, migration: string | undefined, reason: string) {
    super('db.migration_failed', `migration ${migration ?? '(setup)'} of ${service} failed: ${reason}`, {
      service,
      migration,
    });
  }
}
