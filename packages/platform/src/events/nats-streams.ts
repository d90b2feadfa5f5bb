import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';

/** Stream plumbing for the NATS adapter: creating the streams, and reading a stretch of one in order. */

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** Creates the stream unless it exists; safe when several processes start at once. */
export async function ensureStream(jsm: JetStreamManager, name: string, subject: string): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
  }
  try {
    await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File });
  } catch (err) {
    // Another process created it between our info and add: fine if it now exists.
    await jsm.streams.info(name).catch(() => Promise.reject(err as Error));
  }
}

/**
 * The messages of `stream` from sequence `from` (inclusive) up to what the stream held when the read
 * started, optionally filtered to one subject (a wildcard is allowed). An ordered consumer: no acks,
 * recreated by the client if a message is missed, deleted by the server once idle.
 */
export async function* readStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  options: { from: number; filter?: string },
): AsyncGenerator<JsMsg> {
  const info = await jsm.streams.info(stream);
  const lastSeq = info.state.last_seq;
  if (info.state.messages === 0 || lastSeq < options.from) return;
  const consumer = await js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, options.from),
    ...(options.filter ? { filter_subjects: options.filter } : {}),
    inactive_threshold: 30_000,
  });
  try {
    // num_pending at creation: the matching messages from `from` on. Zero means nothing to read.
    if ((await consumer.info(true)).num_pending === 0) return;
    const messages = await consumer.consume({ max_messages: 256 });
    try {
      for await (const msg of messages) {
        if (msg.seq > lastSeq) break;
        yield msg;
        if (msg.info.pending === 0 || msg.seq === lastSeq) break;
      }
    } finally {
      await messages.close();
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}
