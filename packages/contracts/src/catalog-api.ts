import { Type, type Static } from '@sinclair/typebox';
import { MaturitySchema } from './schemas.js';

/**
 * Bodies of the catalog API that the web app writes and streaming validates (or serialises) with the
 * same schema, so the two cannot drift. The web app imports only their types (through `./api`).
 */

export const TitleNameSchema = Type.String({ minLength: 1, maxLength: 200 });
export const TitleSynopsisSchema = Type.String({ maxLength: 4000 });
export const TitleYearSchema = Type.Integer({ minimum: 1870, maximum: 3000 });
export const TitleGenresSchema = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
  maxItems: 12,
  uniqueItems: true,
});

/** POST /api/admin/titles: a movie or a series (episodes are added to a series on their own). */
export const NewTitleBody = Type.Object(
  {
    type: Type.Union([Type.Literal('movie'), Type.Literal('series')]),
    name: TitleNameSchema,
    synopsis: Type.Optional(TitleSynopsisSchema),
    year: TitleYearSchema,
    maturity: MaturitySchema,
    genres: Type.Optional(TitleGenresSchema),
  },
  { additionalProperties: false },
);
export type NewTitle = Static<typeof NewTitleBody>;

/** PATCH /api/admin/titles/:titleId: any of these, at least one. */
export const TitleChangesBody = Type.Object(
  {
    name: Type.Optional(TitleNameSchema),
    synopsis: Type.Optional(TitleSynopsisSchema),
    year: Type.Optional(TitleYearSchema),
    maturity: Type.Optional(MaturitySchema),
    genres: Type.Optional(TitleGenresSchema),
    published: Type.Optional(
      Type.Boolean({
        description:
          'false hides the title (a series with its episodes) from viewers and refuses playback; true shows it again once something is ready to play',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type TitleChanges = Static<typeof TitleChangesBody>;

/** An episode a search found by its name: on a search's first page, beside the movies and series. */
export const EpisodeHitSchema = Type.Object({
  titleId: Type.String(),
  name: Type.String(),
  seriesId: Type.String(),
  seriesName: Type.String(),
  season: Type.Integer(),
  number: Type.Integer(),
  posterUrl: Type.Union([Type.String(), Type.Null()]),
});
export type EpisodeHit = Static<typeof EpisodeHitSchema>;
