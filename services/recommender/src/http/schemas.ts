import { Type, type Static } from '@sinclair/typebox';
import { MaturitySchema as Maturity } from '@marquee/contracts';

export const HomeItemSchema = Type.Object({
  titleId: Type.String(),
  name: Type.String(),
  year: Type.Integer(),
  maturity: Maturity,
  genres: Type.Array(Type.String()),
  posterUrl: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description:
        "the title's poster on an edge, as GET /api/titles gives it (null: none); set by the gateway from streaming's catalog",
    }),
  ),
  progress: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'share watched' })),
  resumeAt: Type.Optional(Type.Number({ minimum: 0, description: 'seconds' })),
});

export const HomeSchema = Type.Object({
  rows: Type.Array(
    Type.Object({
      id: Type.String({
        description:
          'stable row id: continue-watching, my-list, top-picks, because-you-watched:<titleId>, trending, new, popular, genre:<genre>',
      }),
      title: Type.String(),
      items: Type.Array(HomeItemSchema),
    }),
  ),
});

export const ProfileParams = Type.Object({ profileId: Type.String({ minLength: 1, maxLength: 128 }) });
export type ProfileParams = Static<typeof ProfileParams>;

export const PopularQuery = Type.Object({
  maxMaturity: Type.Optional(Maturity),
  kids: Type.Optional(Type.Boolean()),
});
export type PopularQuery = Static<typeof PopularQuery>;
