import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Answers of `/api/admin/analytics/*` (issue 18), read by the admin console's analytics page. Measures
 * are null when nothing was measured in the range (no start, no watched time), never 0 pretending.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });
const Ms = Nullable(Type.Number({ minimum: 0 }));
const Ratio = Nullable(Type.Number({ minimum: 0 }));

/** The QoE measures over a set of telemetry batches. */
export const QoeMeasures = Type.Object({
  sessions: Count,
  /** Sessions that reached `playing` (their startup time was reported). */
  starts: Count,
  startupP50Ms: Ms,
  startupP95Ms: Ms,
  /** Stalled time / (watched + stalled time). */
  rebufferRatio: Ratio,
  /** Watch-time-weighted mean video bitrate, bits per second. */
  avgBitrate: Nullable(Type.Number({ minimum: 0 })),
  /** Sessions with a fatal error / sessions. */
  errorRate: Ratio,
  watchSeconds: Type.Number({ minimum: 0 }),
  stalls: Count,
});
export type QoeMeasures = Static<typeof QoeMeasures>;

export const AnalyticsOverview = Type.Object({
  from: Type.String(),
  to: Type.String(),
  bucket: Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')]),
  totals: QoeMeasures,
  series: Type.Array(Type.Composite([Type.Object({ t: Type.String() }), QoeMeasures])),
  startupHistogram: Type.Array(Type.Object({ fromMs: Type.Number(), count: Count })),
  errors: Type.Array(
    Type.Object({ kind: Type.String(), fatal: Type.Boolean(), count: Count, sessions: Count }),
  ),
  byEdge: Type.Array(Type.Composite([Type.Object({ key: Type.String() }), QoeMeasures])),
  byPlan: Type.Array(Type.Composite([Type.Object({ key: Type.String() }), QoeMeasures])),
  byTitle: Type.Array(Type.Composite([Type.Object({ key: Type.String() }), QoeMeasures])),
  byDay: Type.Array(Type.Composite([Type.Object({ key: Type.String() }), QoeMeasures])),
});
export type AnalyticsOverview = Static<typeof AnalyticsOverview>;

export const AnalyticsSession = Type.Object({
  sessionId: Type.String(),
  titleId: Type.String(),
  plan: Type.String(),
  edge: Nullable(Type.String()),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  startupMs: Ms,
  stalls: Count,
  stallMs: Type.Number({ minimum: 0 }),
  watchSeconds: Type.Number({ minimum: 0 }),
  avgBitrate: Nullable(Type.Number({ minimum: 0 })),
  errors: Count,
});
export type AnalyticsSession = Static<typeof AnalyticsSession>;

export const AnalyticsSessions = Type.Object({ items: Type.Array(AnalyticsSession) });
export type AnalyticsSessions = Static<typeof AnalyticsSessions>;

export const TitleAnalytics = Type.Object({
  titleId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  /** Playback sessions started. */
  views: Count,
  viewers: Count,
  watchSeconds: Type.Number({ minimum: 0 }),
  /** Sessions that reached the title's end (contracts/viewing's rule) / sessions. */
  completionRate: Ratio,
  /** Share of sessions still watching at each twentieth of the title (at 0 … 1). */
  retention: Type.Array(Type.Object({ at: Type.Number(), share: Type.Number() })),
  qoe: QoeMeasures,
});
export type TitleAnalytics = Static<typeof TitleAnalytics>;
