import type { FastifyInstance } from 'fastify';
import { QUIET_ACCESS_LOG, requireIdentity } from '@marquee/core';
import type { Playback } from '../app/playback.js';
import type { PreparedPlayback } from '../app/prepared-playback.js';
import { currentDashPathway } from '../app/dash-steering.js';
import {
  DashSteeringQuery,
  DashSteeringSchema,
  documented,
  HeartbeatBody,
  PlaybackBody,
  PlaybackStartSchema,
  PreparedPlaybackSchema,
  SessionParams,
  SteeringQuery,
  SteeringSchema,
} from './schemas.js';

const tags = ['playback'];

function stopPosition(body: unknown): number | undefined {
  const position =
    typeof body === 'object' && body !== null ? (body as { position?: unknown }).position : undefined;
  return typeof position === 'number' && Number.isFinite(position) && position >= 0 && position <= 1e7
    ? position
    : undefined;
}

export function playbackRoutes(app: FastifyInstance, playback: Playback, prepared: PreparedPlayback): void {
  app.post<{ Body: PlaybackBody }>(
    '/api/playback',
    {
      schema: documented(
        'Start playback: entitlement checks, a stream slot and a signed manifest URL on the best edge',
        tags,
        { body: PlaybackBody, response: { 201: PlaybackStartSchema } },
      ),
    },
    async (req, reply) => reply.status(201).send(await playback.start(requireIdentity(req), req.body)),
  );

  // Instant play: a title the viewer lingers on is authorised ahead of Play, without a stream slot.
  app.post<{ Body: PlaybackBody }>(
    '/api/playback/prepare',
    {
      schema: documented(
        'Prepare playback of a title the viewer lingers on: every check of a start and its manifest URL, but no stream slot, session or play counted until POST /api/playback/{sessionId}/start',
        tags,
        { body: PlaybackBody, response: { 201: PreparedPlaybackSchema } },
      ),
    },
    async (req, reply) => reply.status(201).send(await prepared.prepare(requireIdentity(req), req.body)),
  );

  app.post<{ Params: SessionParams }>(
    '/api/playback/:sessionId/start',
    {
      schema: documented(
        'Play a prepared playback: takes the stream slot and starts the session (404 when it lapsed, was started or is not yours)',
        tags,
        { params: SessionParams, response: { 201: PlaybackStartSchema } },
      ),
    },
    async (req, reply) =>
      reply.status(201).send(await prepared.start(requireIdentity(req), req.params.sessionId)),
  );

  app.post<{ Params: SessionParams; Body: HeartbeatBody }>(
    '/api/playback/:sessionId/heartbeat',
    {
      config: QUIET_ACCESS_LOG,
      schema: documented('Report the position and keep the stream slot', tags, {
        params: SessionParams,
        body: HeartbeatBody,
      }),
    },
    async (req) => playback.heartbeat(requireIdentity(req), req.params.sessionId, req.body.position),
  );

  // The body is optional (a player closing a tab may send nothing), so it is read by hand.
  app.delete<{ Params: SessionParams; Body: unknown }>(
    '/api/playback/:sessionId',
    {
      schema: documented('Stop playback and free the stream slot; body `{position}` optional', tags, {
        params: SessionParams,
      }),
    },
    async (req, reply) => {
      await playback.stop(requireIdentity(req), req.params.sessionId, stopPosition(req.body));
      return reply.status(204).send();
    },
  );

  // The analytics service checks that telemetry is for the caller's own live session.
  app.get<{ Params: SessionParams }>(
    '/internal/playback/:sessionId',
    { config: { openapi: false, ...QUIET_ACCESS_LOG }, schema: { params: SessionParams } },
    async (req) => playback.sessionFact(req.params.sessionId),
  );

  // Fetched by the player itself (hls.js) without credentials: the unguessable session id is the key.
  app.get<{ Params: SessionParams; Querystring: SteeringQuery }>(
    '/api/steering/:sessionId',
    {
      schema: documented('HLS Content Steering manifest of a session (edges re-ranked live)', tags, {
        params: SessionParams,
        querystring: SteeringQuery,
        response: { 200: SteeringSchema },
      }),
    },
    async (req, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(await playback.steering(req.params.sessionId, req.query._HLS_pathway)),
  );

  // The same for dash.js: the session MPD's <ContentSteering> names this URL.
  app.get<{ Params: SessionParams; Querystring: DashSteeringQuery }>(
    '/api/steering/:sessionId/dash',
    {
      schema: documented(
        'DASH Content Steering manifest of a session (the same ranking, serviceLocation ids)',
        tags,
        { params: SessionParams, querystring: DashSteeringQuery, response: { 200: DashSteeringSchema } },
      ),
    },
    async (req, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(await playback.dashSteering(req.params.sessionId, currentDashPathway(req.query._DASH_pathway))),
  );
}
