import type { Logger } from '@marquee/core';
import { registerCatalogue } from './catalogue.js';
import { openEmbeddedEventBus } from './embedded.js';
import { openNatsEventBus } from './nats.js';
import type { EventBus } from './port.js';

export type * from './port.js';
export { EventBusUnavailableError, EventLeaseLostError } from './errors.js';
export { isDependencyOutage } from './outage.js';
export { registerEventOutageMetrics } from './outage-holds.js';
export { registerEventType, validateEvent, buildEnvelope, CloudEventSchema } from './envelope.js';
export { registerCatalogue, eventCatalogue, type CatalogueEventType, type EventData } from './catalogue.js';
export {
  enqueue,
  outboxMigrations,
  startOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxTables,
} from './outbox.js';

export interface EventBusOptions {
  /** nats:// URL: NATS JetStream. Without it, the embedded log in `sqlitePath`. */
  natsUrl?: string;
  /** The embedded log's SQLite file (required without natsUrl). */
  sqlitePath?: string;
  /** NATS stream name (default MARQUEE). */
  stream?: string;
  /** NATS subject prefix (default marquee). */
  subjectPrefix?: string;
  logger?: Logger;
}

/**
 * Opens the event bus chosen by configuration and registers the event catalogue's schemas.
 *
 * @example
 *   const bus = await openEventBus({ natsUrl: process.env.NATS_URL, sqlitePath: 'data/events.db', logger });
 */
export async function openEventBus(options: EventBusOptions): Promise<EventBus> {
  registerCatalogue();
  if (options.natsUrl) {
    return openNatsEventBus({
      url: options.natsUrl,
      stream: options.stream,
      subjectPrefix: options.subjectPrefix,
      logger: options.logger,
    });
  }
  if (!options.sqlitePath) throw new RangeError('openEventBus needs natsUrl or sqlitePath');
  return openEmbeddedEventBus({ path: options.sqlitePath, logger: options.logger });
}
