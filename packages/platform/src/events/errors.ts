import { DomainError } from '@marquee/core';

/** The bus cannot open: NATS unreachable or without JetStream, or the embedded log's file unusable. */
export class EventBusUnavailableError extends DomainError {
  /** `message` names the endpoint (host:port, never credentials; or the file) and the reason. */
  constructor(endpoint: string, message: string) {
    super('events.unavailable', message, { endpoint });
  }
}
