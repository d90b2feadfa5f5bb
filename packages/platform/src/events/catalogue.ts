import { eventCatalogue } from '@marquee/contracts';
import { registerEventType } from './envelope.js';

export { eventCatalogue, type CatalogueEventType, type EventData } from '@marquee/contracts';

/**
 * Registers every type of the event catalogue (defined in @marquee/contracts, DESIGN.md) with its data
 * schema; idempotent, called by openEventBus.
 */
export function registerCatalogue(): void {
  for (const [type, schema] of Object.entries(eventCatalogue)) registerEventType(type, schema);
}
