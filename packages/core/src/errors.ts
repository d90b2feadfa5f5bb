/**
 * Domain errors carry a stable `code`; the HTTP layer (problem.ts) decides the status.
 * Codes are dotted, lower-case and never change once published: clients match on them.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} does not exist`, { what, id });
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('validation', message, details);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

export class UpstreamError extends DomainError {
  constructor(
    code: 'upstream.unavailable' | 'upstream.timeout' | 'upstream.overloaded',
    service: string,
    message: string,
  ) {
    super(code, message, { service });
  }
}
