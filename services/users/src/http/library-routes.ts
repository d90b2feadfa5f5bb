import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { documented, requireIdentity } from '@marquee/core';
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

type Reads = (accountId: string, profileId: string) => Promise<unknown[]>;
type TitleAct = (accountId: string, profileId: string, titleId: string) => Promise<unknown>;

/**
 * My List, ratings and viewing history of one profile. Every handler resolves the profile through
 * ownedProfile (in app/), so another account's profile id answers 404 like an unknown one.
 */
export function libraryRoutes(app: FastifyInstance, ctx: UsersAppContext): void {
  const tags = ['library'];
  /** GET /api/profiles/:profileId/<part>: the caller's profile's items of one kind. */
  const profileItems = (part: string, summary: string, item: TSchema, read: Reads) =>
    app.get<{ Params: ProfileParams }>(
      `/api/profiles/:profileId/${part}`,
      { schema: documented(summary, tags, { params: ProfileParams, response: { 200: Items(item) } }) },
      async (req) => ({ items: await read(requireIdentity(req).accountId, req.params.profileId) }),
    );
  /** GET or PUT /api/profiles/:profileId/<part>/:titleId: one title of the caller's profile's. */
  const profileTitle = (
    method: 'GET' | 'PUT',
    part: string,
    summary: string,
    answer: TSchema,
    act: TitleAct,
  ) =>
    app.route<{ Params: ProfileTitleParams }>({
      method,
      url: `/api/profiles/:profileId/${part}/:titleId`,
      schema: documented(summary, tags, { params: ProfileTitleParams, response: { 200: answer } }),
      handler: async (req) => act(requireIdentity(req).accountId, req.params.profileId, req.params.titleId),
    });

  profileItems('list', 'My List, newest first', ListItemSchema, (account, profile) =>
    myList(ctx.db.write, account, profile),
  );
  profileTitle('GET', 'list', 'Whether a title is in My List (404 if not)', ListItemSchema, (...ids) =>
    listItem(ctx, ...ids),
  );
  profileTitle('PUT', 'list', 'Add a title to My List (idempotent)', ListItemSchema, (...ids) =>
    addListItem(ctx, ...ids),
  );
  app.delete<{ Params: ProfileTitleParams }>(
    '/api/profiles/:profileId/list/:titleId',
    { schema: documented('Remove a title from My List (idempotent)', tags, { params: ProfileTitleParams }) },
    async (req, reply) => {
      await removeListItem(ctx, requireIdentity(req).accountId, req.params.profileId, req.params.titleId);
      return reply.status(204).send();
    },
  );

  profileItems('ratings', 'Thumbs given by this profile', RatingSchema, (account, profile) =>
    ratings(ctx, account, profile),
  );
  profileTitle(
    'GET',
    'ratings',
    'This profile’s thumb for a title (rating null if none)',
    RatingSchema,
    (...ids) => getRating(ctx, ...ids),
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

  profileItems(
    'history',
    'Viewing history with resume positions, most recent first',
    HistoryItemSchema,
    (account, profile) => viewingHistory(ctx.db.write, account, profile),
  );
  profileTitle(
    'GET',
    'history',
    'Resume position of one title (404 if never watched)',
    HistoryItemSchema,
    (...ids) => historyItem(ctx.db.write, ...ids),
  );
}
