import type { FastifyInstance } from 'fastify';
import { documented } from './documented.js';
import { requireIdentity } from '@marquee/core';
import type { UsersAppContext } from '../app/context.js';
import { historyItem, viewingHistory } from '../app/history.js';
import {
  addListItem,
  getRating,
  listItem,
  myList,
  rateTitle,
  ratings,
  removeListItem,
} from '../app/library.js';
import {
  HistoryItemSchema,
  Items,
  ListItemSchema,
  ProfileParams,
  ProfileTitleParams,
  RatingBody,
  RatingSchema,
} from './schemas.js';

/**
 * My List, ratings and viewing history of one profile. Every handler resolves the profile through
 * ownedProfile (in app/), so another account's profile id answers 404 like an unknown one.
 */
export function libraryRoutes(app: FastifyInstance, ctx: UsersAppContext): void {
  const tags = ['library'];
  app.get<{ Params: ProfileParams }>(
    '/api/profiles/:profileId/list',
    {
      schema: documented('My List, newest first', tags, {
        params: ProfileParams,
        response: { 200: Items(ListItemSchema) },
      }),
    },
    async (req) => ({
      items: await myList(ctx.db.write, requireIdentity(req).accountId, req.params.profileId),
    }),
  );

  app.get<{ Params: ProfileTitleParams }>(
    '/api/profiles/:profileId/list/:titleId',
    {
      schema: documented('Whether a title is in My List (404 if not)', tags, {
        params: ProfileTitleParams,
        response: { 200: ListItemSchema },
      }),
    },
    async (req) => listItem(ctx, requireIdentity(req).accountId, req.params.profileId, req.params.titleId),
  );

  app.put<{ Params: ProfileTitleParams }>(
    '/api/profiles/:profileId/list/:titleId',
    {
      schema: documented('Add a title to My List (idempotent)', tags, {
        params: ProfileTitleParams,
        response: { 200: ListItemSchema },
      }),
    },
    async (req) => addListItem(ctx, requireIdentity(req).accountId, req.params.profileId, req.params.titleId),
  );

  app.delete<{ Params: ProfileTitleParams }>(
    '/api/profiles/:profileId/list/:titleId',
    { schema: documented('Remove a title from My List (idempotent)', tags, { params: ProfileTitleParams }) },
    async (req, reply) => {
      await removeListItem(ctx, requireIdentity(req).accountId, req.params.profileId, req.params.titleId);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: ProfileParams }>(
    '/api/profiles/:profileId/ratings',
    {
      schema: documented('Thumbs given by this profile', tags, {
        params: ProfileParams,
        response: { 200: Items(RatingSchema) },
      }),
    },
    async (req) => ({ items: await ratings(ctx, requireIdentity(req).accountId, req.params.profileId) }),
  );

  app.get<{ Params: ProfileTitleParams }>(
    '/api/profiles/:profileId/ratings/:titleId',
    {
      schema: documented('This profile’s thumb for a title (rating null if none)', tags, {
        params: ProfileTitleParams,
        response: { 200: RatingSchema },
      }),
    },
    async (req) => getRating(ctx, requireIdentity(req).accountId, req.params.profileId, req.params.titleId),
  );

  app.put<{ Params: ProfileTitleParams; Body: RatingBody }>(
    '/api/profiles/:profileId/ratings/:titleId',
    {
      schema: documented('Thumb up, thumb down, or null to clear', tags, {
        params: ProfileTitleParams,
        body: RatingBody,
        response: { 200: RatingSchema },
      }),
    },
    async (req) =>
      rateTitle(
        ctx,
        requireIdentity(req).accountId,
        req.params.profileId,
        req.params.titleId,
        req.body.rating,
      ),
  );

  app.get<{ Params: ProfileParams }>(
    '/api/profiles/:profileId/history',
    {
      schema: documented('Viewing history with resume positions, most recent first', tags, {
        params: ProfileParams,
        response: { 200: Items(HistoryItemSchema) },
      }),
    },
    async (req) => ({
      items: await viewingHistory(ctx.db.write, requireIdentity(req).accountId, req.params.profileId),
    }),
  );

  app.get<{ Params: ProfileTitleParams }>(
    '/api/profiles/:profileId/history/:titleId',
    {
      schema: documented('Resume position of one title (404 if never watched)', tags, {
        params: ProfileTitleParams,
        response: { 200: HistoryItemSchema },
      }),
    },
    async (req) =>
      historyItem(ctx.db.write, requireIdentity(req).accountId, req.params.profileId, req.params.titleId),
  );
}
