import { Type, type Static } from '@sinclair/typebox';
import { PlanSchema } from './schemas.js';

/**
 * Player telemetry (issue 18): what a player reports about one playback session, in batches. The same
 * batch is the body of `POST /api/playback/:sessionId/telemetry` and, with the session's facts added by
 * the analytics service, the data of the `telemetry.reported` event the lake stores.
 *
 * Bounds are generous for a real player and small enough that a forged batch cannot make a lake row
 * large: at most 100 stalls, switches and errors each per batch.
 */
const Ms = (maximum: number) => Type.Number({ minimum: 0, maximum });
const Seconds = Type.Number({ minimum: 0, maximum: 1e7 });
const Bitrate = Type.Integer({ minimum: 0, maximum: 1e9 });
/** A short machine word: `network`, `media`, `mux`, `key`, `other` from hls.js's error types, or similar. */
const Word = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' });

export const TelemetryStall = Type.Object(
  { position: Seconds, durationMs: Ms(3_600_000) },
  { additionalProperties: false },
);

export const TelemetrySwitch = Type.Object(
  {
    position: Seconds,
    bitrate: Bitrate,
    height: Type.Optional(Type.Integer({ minimum: 0, maximum: 8640 })),
  },
  { additionalProperties: false },
);

export const TelemetryError = Type.Object(
  {
    kind: Word,
    fatal: Type.Boolean(),
    detail: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const TelemetryBatch = Type.Object(
  {
    /** 0, 1, 2 … per session: a batch sent twice (a retried request) is one row in the lake. */
    seq: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    /** Play pressed → first `playing`, in the batch that saw it. */
    startupMs: Type.Optional(Ms(600_000)),
    /** Media time actually played since the previous batch (paused and stalled time excluded). */
    watchMs: Ms(3_600_000),
    /** Mean video bitrate over that watched time (bits per second). */
    bitrate: Type.Optional(Bitrate),
    /** Where playback is now, seconds into the title. */
    position: Type.Optional(Seconds),
    stalls: Type.Array(TelemetryStall, { maxItems: 100 }),
    switches: Type.Array(TelemetrySwitch, { maxItems: 100 }),
    droppedFrames: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
    errors: Type.Array(TelemetryError, { maxItems: 100 }),
    /** The content-steering pathway (edge) in use. */
    edge: Type.Optional(Word),
  },
  { additionalProperties: false },
);
export type TelemetryBatch = Static<typeof TelemetryBatch>;

const Id = Type.String({ minLength: 1, maxLength: 128 });

/** Data of `telemetry.reported`: the batch plus who and what it is about (from the session, not the player). */
export const TelemetryReported = Type.Object({
  ...TelemetryBatch.properties,
  sessionId: Id,
  accountId: Id,
  profileId: Id,
  titleId: Id,
  plan: PlanSchema,
});
export type TelemetryReported = Static<typeof TelemetryReported>;
