import { DomainError } from '@marquee/core';

/** The bus cannot open: NATS unreachable or without JetStream, or the embedded log's file unusable. */
export class EventBusUnavailableError extends DomainError {
  /** `message` names the endpoint (host:port, never credentials; or the file) and the reason. */
  constructor(endpoint: string, message: string) {
    super('events.unavailable', message, { endpoint });
  }
}

/**
 * `extendLease()` came too late: the member no longer holds the event (its ack timeout passed, so the
 * event may be running on another member). The handler should stop; its delivery will not be acked.
 */
export class EventLeaseLostError extends DomainError {
  constructor(group: string, position: number, message: string) {
    super('events.lease_lost', message, { group, position });
  }
}
