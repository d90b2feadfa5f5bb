/**
 * A consumer process for the SIGKILL contract test: it joins group $EVENTS_GROUP on the log named by
 * the EVENTS_* variables, prints `ready`, then for the first event prints `handling <id>` and never
 * finishes, waiting to be killed mid-handler. With $EVENTS_EXTEND_EVERY_MS it extends the event's lease
 * that often, printing `extended` after each extension (`lost` if one is refused).
 */
import { openEventBus } from '../index.js';
import { registerTestTypes } from './harness.js';

registerTestTypes();
const env = process.env;
const bus = await openEventBus({
  sqlitePath: env.EVENTS_SQLITE_PATH,
  natsUrl: env.EVENTS_NATS_URL,
  stream: env.EVENTS_STREAM,
  subjectPrefix: env.EVENTS_SUBJECT_PREFIX,
});
const extendEveryMs = Number(env.EVENTS_EXTEND_EVERY_MS ?? 0);
await bus.subscribe({
  group: env.EVENTS_GROUP ?? 'killed',
  types: ['test.happened'],
  ackTimeoutMs: Number(env.EVENTS_ACK_TIMEOUT_MS ?? 1_000),
  handler: async (delivery) => {
    process.stdout.write(`handling ${delivery.event.id}\n`);
    if (extendEveryMs > 0) {
      setInterval(() => {
        delivery.extendLease().then(
          () => process.stdout.write('extended\n'),
          () => process.stdout.write('lost\n'),
        );
      }, extendEveryMs);
    }
    await new Promise(() => undefined);
  },
});
process.stdout.write('ready\n');
