import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, requireIdentity, UpstreamError, type Logger } from '@marquee/core';
import { ratingsUpTo, type Catalog } from '../app/catalog.js';
import { KIDS_MAX_MATURITY } from '@marquee/contracts';
import type { UsersClient } from '../clients/users-client.js';
import type { CatalogFilter } from '../store/titles-store.js';
import {
  documented,
  ProfileQuery,
  TitleDetailSchema,
  TitleParams,
  TitleSearchPageSchema,
  TitlesQuery,
} from './schemas.js';

const tags = ['catalog'];

/**
 * The viewer's catalog. With `profileId` the results are limited to the profile's maturity ceiling;
 * without, to the most permissive of the account's profiles (a kids-only household never lists what
 * none of its profiles may watch). Another account's profile answers exactly like an unknown one (404),
 * so profile ids cannot be probed; if users cannot say, the kids ceiling applies until it can.
 */
export function catalogRoutes(
  app: FastifyInstance,
  deps: { catalog: Catalog; users: UsersClient; logger: Logger },
) {
  const filterFor = async (req: FastifyRequest, profileId: string | undefined): Promise<CatalogFilter> => {
    const identity = requireIdentity(req);
    try {
      if (!profileId) return { maturities: ratingsUpTo(await deps.users.accountCeiling(identity.accountId)) };
      // Asked of users, not taken from forwarded facts: the gateway checks no profile named in a query
      // string, so a catalog call never carries any (checking it there would only move this lookup).
      const profile = await deps.users.profile(profileId);
      if (profile.accountId !== identity.accountId) throw new NotFoundError('profile', profileId);
      return { maturities: ratingsUpTo(profile.maxMaturity) };
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      deps.logger.warn({ err }, 'users unavailable: applying the kids maturity ceiling');
      return { maturities: ratingsUpTo(KIDS_MAX_MATURITY) };
    }
  };

  app.get<{ Querystring: TitlesQuery }>(
    '/api/titles',
    {
      schema: documented(
        'Search (typo tolerant) or browse published movies and series; a search’s first page also lists episodes by name',
        tags,
        {
          querystring: TitlesQuery,
          response: {
            200: TitleSearchPageSchema,
          },
        },
      ),
    },
    async (req) => {
      const { profileId, limit, ...query } = req.query;
      const filter = await filterFor(req, profileId);
      const page = await deps.catalog.listTitles({ ...query, limit: limit ?? 24 }, filter);
      const q = query.q?.trim();
      if (!q || query.cursor) return page;
      return { ...page, episodes: await deps.catalog.searchEpisodes(q, filter) };
    },
  );

  app.get<{ Params: TitleParams; Querystring: ProfileQuery }>(
    '/api/titles/:titleId',
    {
      schema: documented('A title; a series with its seasons and episodes', tags, {
        params: TitleParams,
        querystring: ProfileQuery,
        response: { 200: TitleDetailSchema },
      }),
    },
    async (req) => deps.catalog.titleDetail(req.params.titleId, await filterFor(req, req.query.profileId)),
  );
}
