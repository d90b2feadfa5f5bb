import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { backendAvailable, testUrls, uniqueName } from '../testing/backends.js';
import { registerTestTypes } from './testing/harness.js';
import { openEventBus } from './index.js';
import { openNatsEventBus } from './nats.js';

registerTestTypes();
const natsAvailable = await backendAvailable('nats');

describe('event bus: failures', () => {
  it('names the embedded log file it cannot open', async () => {
    await expect(openEventBus({ sqlitePath: '/nonexistent-dir/events.db' })).rejects.toMatchObject({
      code: 'events.unavailable',
      message: expect.stringMatching(/^cannot open the event log \/nonexistent-dir\/events\.db: /),
    });
  });

  it('fails fast at open, naming the server but not its credentials', async () => {
    const started = Date.now();
    const error = await openNatsEventBus({ url: 'nats://user:secret@127.0.0.1:1' }).catch(
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: 'events.unavailable' });
    expect((error as Error).message).toMatch(/^cannot connect to NATS at 127\.0\.0\.1:1: /);
    expect((error as Error).message).not.toContain('secret');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.runIf(natsAvailable)('rejects a publish that no stream stores', async () => {
    const stream = uniqueName('T').toUpperCase();
    const bus = await openNatsEventBus({ url: testUrls.nats, stream, subjectPrefix: stream.toLowerCase() });
    const nc = await connect({ servers: testUrls.nats });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream);
      await jsm.streams.delete(`${stream}_DLQ`);
      await expect(bus.publish({ type: 'test.happened', source: 't', data: { n: 1 } })).rejects.toThrow(
        /no JetStream stream accepted the event \(503/,
      );
    } finally {
      await bus.close();
      await nc.close();
    }
  });
});
