import type { FastifyInstance, FastifySchema } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnalyticsOverview, AnalyticsSessions, TitleAnalytics } from '@marquee/contracts/analytics';
import { TelemetryBatch } from '@marquee/contracts/telemetry';
import { QUIET_ACCESS_LOG, requireAdmin, requireIdentity, ValidationError } from '@marquee/core';
import type { TelemetryIntake } from '../app/telemetry-intake.js';
import type { AnalyticsAnswers } from '../app/answers.js';

const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });
const Word = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const SessionParams = Type.Object({ sessionId: Id });
const TitleParams = Type.Object({ titleId: Id });
const Range = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 24 hours before `to`' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
};
const FilterQuery = Type.Object(
  {
    ...Range,
    titleId: Type.Optional(Id),
    edge: Type.Optional(Word),
    plan: Type.Optional(Word),
  },
  { additionalProperties: false },
);
const SessionsQuery = Type.Object(
  { ...FilterQuery.properties, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false },
);
const RangeQuery = Type.Object(Range, { additionalProperties: false });
type FilterQuery = Static<typeof FilterQuery>;

const MAX_RANGE_MS = 400 * 24 * 3600 * 1000;

function documented(summary: string, tags: readonly string[], schema: FastifySchema): FastifySchema {
  return Object.assign({ summary, tags }, schema);
}

/** The range asked for, defaulting to the last 24 hours; a reversed or huge range is a 400. */
export function rangeOf(query: { from?: string | undefined; to?: string | undefined }, now: number) {
  const to = query.to ? new Date(query.to) : new Date(now);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3600 * 1000);
  if (!(from < to)) throw new ValidationError('`from` must be before `to`');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw new ValidationError('A range covers at most 400 days');
  return { from, to };
}

const filterOf = (query: FilterQuery, now: number) => ({
  ...rangeOf(query, now),
  titleId: query.titleId,
  edge: query.edge,
  plan: query.plan,
});

export function analyticsRoutes(
  app: FastifyInstance,
  deps: { intake: TelemetryIntake; answers: AnalyticsAnswers; now: () => number },
): void {
  const { intake, answers, now } = deps;
  app.post<{ Params: Static<typeof SessionParams>; Body: TelemetryBatch }>(
    '/api/playback/:sessionId/telemetry',
    {
      config: QUIET_ACCESS_LOG,
      bodyLimit: 64 * 1024,
      schema: documented(
        'Report a batch of player telemetry (startup, stalls, switches, errors, edge, watch time) for a live session of yours',
        ['playback'],
        {
          params: SessionParams,
          body: TelemetryBatch,
          response: { 202: Type.Object({ accepted: Type.Boolean() }) },
        },
      ),
    },
    async (req, reply) => {
      await intake.accept(requireIdentity(req), req.params.sessionId, req.body);
      return reply.status(202).send({ accepted: true });
    },
  );

  const tags = ['analytics'];
  app.get<{ Querystring: FilterQuery }>(
    '/api/admin/analytics/overview',
    {
      schema: documented(
        'Quality of experience over a time range: starts, start time p50/p95, rebuffer ratio, bitrate, errors; over time and per edge, plan, title and day',
        tags,
        { querystring: FilterQuery, response: { 200: AnalyticsOverview } },
      ),
    },
    async (req) => {
      requireAdmin(req);
      return answers.overview(filterOf(req.query, now()));
    },
  );

  app.get<{ Querystring: Static<typeof SessionsQuery> }>(
    '/api/admin/analytics/sessions',
    {
      schema: documented('The latest playback sessions that reported telemetry, newest first', tags, {
        querystring: SessionsQuery,
        response: { 200: AnalyticsSessions },
      }),
    },
    async (req) => {
      requireAdmin(req);
      return { items: await answers.sessions(filterOf(req.query, now()), req.query.limit ?? 50) };
    },
  );

  app.get<{ Params: Static<typeof TitleParams>; Querystring: Static<typeof RangeQuery> }>(
    '/api/admin/analytics/titles/:titleId',
    {
      schema: documented(
        'One title: views, viewers, watch time, completion, audience retention and its QoE',
        tags,
        { params: TitleParams, querystring: RangeQuery, response: { 200: TitleAnalytics } },
      ),
    },
    async (req) => {
      requireAdmin(req);
      const { from, to } = rangeOf(req.query, now());
      return answers.title(req.params.titleId, from, to);
    },
  );
}
