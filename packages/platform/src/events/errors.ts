import { DomainError } from '@marquee/core';

/** The NATS server cannot be reached, or has no usable JetStream, when the bus opens. */
export class EventBusUnavailableError extends DomainError {
  /** `message` names the endpoint (host:port, never credentials) and the reason. */
  constructor(endpoint: string, message: string) {
    super('events.unavailable', message, { endpoint });
  }
}
