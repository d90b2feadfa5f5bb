import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  EpisodeHitSchema,
  MaturitySchema,
  NewTitleBody,
  TitleNameSchema,
  TitleSynopsisSchema,
  TitleYearSchema,
} from '@marquee/contracts';

/**
 * Request and response schemas of the streaming API. Bodies refuse unknown properties so a typo
 * answers a precise 400; responses are serialised through their schema.
 */
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });
/** The bodies the web app also writes live in contracts (catalog-api.ts), the one definition. */
export { MaturitySchema, NewTitleBody };
const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Core's helper, re-exported beside the schemas every route file here imports. */
export { documented } from '@marquee/core';

export const NewEpisodeBody = Type.Object(
  {
    season: Type.Integer({ minimum: 1, maximum: 1000 }),
    number: Type.Integer({ minimum: 1, maximum: 10000 }),
    name: TitleNameSchema,
    synopsis: Type.Optional(TitleSynopsisSchema),
    year: Type.Optional(TitleYearSchema),
  },
  { additionalProperties: false },
);
export type NewEpisodeBody = Static<typeof NewEpisodeBody>;

export const TitleIdSchema = Type.Object({ titleId: Type.String() });
export const TitleParams = Type.Object({ titleId: Id });
export type TitleParams = Static<typeof TitleParams>;
export const SeriesParams = Type.Object({ seriesId: Id });
export type SeriesParams = Static<typeof SeriesParams>;
export const SessionParams = Type.Object({ sessionId: Id });
export type SessionParams = Static<typeof SessionParams>;

const RenditionSchema = Type.Object({
  height: Type.Integer(),
  width: Type.Integer(),
  bandwidth: Type.Integer(),
  codecs: Type.String(),
});

export const AdminAssetSchema = Type.Object({
  assetId: Type.String(),
  state: Type.Union(['uploading', 'queued', 'encoding', 'ready', 'failed'].map((s) => Type.Literal(s))),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  stage: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'why the asset failed, for a person' })),
  renditions: Type.Array(RenditionSchema),
  durationSeconds: Nullable(Type.Number()),
  filename: Nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});

const titleFields = {
  titleId: Type.String(),
  type: Type.Union([Type.Literal('movie'), Type.Literal('series'), Type.Literal('episode')]),
  name: Type.String(),
  synopsis: Type.String(),
  year: Type.Integer(),
  maturity: MaturitySchema,
  genres: Type.Array(Type.String()),
};
const episodeFields = {
  seriesId: Type.Optional(Type.String()),
  season: Type.Optional(Type.Integer()),
  number: Type.Optional(Type.Integer()),
};

const AdminTitleFields = {
  ...titleFields,
  ...episodeFields,
  published: Type.Boolean(),
  plays: Type.Integer(),
  createdAt: Instant,
  asset: Nullable(AdminAssetSchema),
};
export const AdminTitleSchema = Type.Object({
  ...AdminTitleFields,
  episodes: Type.Optional(Type.Array(Type.Object(AdminTitleFields))),
});

export const TitleSummarySchema = Type.Object({ ...titleFields, posterUrl: Nullable(Type.String()) });
const EpisodeSchema = Type.Object({
  ...titleFields,
  posterUrl: Nullable(Type.String()),
  seriesId: Type.String(),
  season: Type.Integer(),
  number: Type.Integer(),
  durationSeconds: Nullable(Type.Number()),
});
export const TitleDetailSchema = Type.Object({
  ...titleFields,
  ...episodeFields,
  posterUrl: Nullable(Type.String()),
  durationSeconds: Type.Optional(Nullable(Type.Number())),
  seasons: Type.Optional(
    Type.Array(Type.Object({ season: Type.Integer(), episodes: Type.Array(EpisodeSchema) })),
  ),
});

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const TitleSearchPageSchema = Type.Object({
  items: Type.Array(TitleSummarySchema),
  nextCursor: Nullable(Type.String()),
  episodes: Type.Optional(Type.Array(EpisodeHitSchema)),
});

export const CursorQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export type CursorQuery = Static<typeof CursorQuery>;

export const TitlesQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  genre: Type.Optional(Type.String({ maxLength: 40 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  profileId: Type.Optional(Id),
});
export type TitlesQuery = Static<typeof TitlesQuery>;

export const ProfileQuery = Type.Object({ profileId: Type.Optional(Id) });
export type ProfileQuery = Static<typeof ProfileQuery>;

export const PlaybackBody = Type.Object({ profileId: Id, titleId: Id }, { additionalProperties: false });
export type PlaybackBody = Static<typeof PlaybackBody>;

export const PlaybackStartSchema = Type.Object({
  sessionId: Type.String(),
  titleId: Type.String({
    description:
      'What plays: the title asked for, or for a series the episode to resume, else the next or the first',
  }),
  manifestUrl: Type.String({ description: 'HLS master playlist on the best edge; the token is in the path' }),
  edges: Type.Array(Type.Object({ edgeId: Type.String(), url: Type.String() })),
  resumeAt: Type.Number({ description: 'seconds' }),
  expiresAt: Instant,
  maxHeight: Type.Integer(),
  heartbeatIntervalSeconds: Type.Integer(),
  encryption: Type.Union([Type.Literal('AES-128'), Type.Null()], {
    description:
      'AES-128: segments are encrypted and the playlists name the key, given to this session only; null: an asset encoded without encryption',
  }),
  dashUrl: Type.Union([Type.String(), Type.Null()], {
    description:
      'DASH MPD over the same segments as manifestUrl, on the same edge and token; null when the asset plays with HLS only (see dashUnavailableReason)',
  }),
  dashUnavailableReason: Type.Union([Type.Literal('encrypted-hls-only'), Type.Null()], {
    description:
      'Why dashUrl is null: encrypted-hls-only, the segments are AES-128 encrypted whole, which DASH players cannot decrypt; null when dashUrl is given',
  }),
  videoCodecs: Type.Array(Type.Union([Type.Literal('h264'), Type.Literal('av1')]), {
    description:
      'Video codec families of the renditions this session may play, H.264 first; ask the master for one with ?codec=h264|av1. An asset encoded before AV1 (or with ENCODER_CODECS=h264) lists h264 only',
  }),
});

export const PreparedPlaybackSchema = Type.Composite([
  PlaybackStartSchema,
  Type.Object({
    preparedUntil: Type.String({
      format: 'date-time',
      description:
        'Until when POST /api/playback/{sessionId}/start opens this preparation; after it, prepare again or start cold',
    }),
  }),
]);

export const HeartbeatBody = Type.Object(
  { position: Type.Number({ minimum: 0, maximum: 1e7 }) },
  { additionalProperties: false },
);
export type HeartbeatBody = Static<typeof HeartbeatBody>;

export const SteeringQuery = Type.Object({
  _HLS_pathway: Type.Optional(Type.String({ maxLength: 128 })),
  _HLS_throughput: Type.Optional(Type.String({ maxLength: 32 })),
});
export type SteeringQuery = Static<typeof SteeringQuery>;

export const SteeringSchema = Type.Object({
  VERSION: Type.Literal(1),
  TTL: Type.Integer(),
  'PATHWAY-PRIORITY': Type.Array(Type.String()),
});

/** dash.js sends `_DASH_pathway="edge-a,edge-b"` (the locations used since its last request) and the throughputs. */
export const DashSteeringQuery = Type.Object({
  _DASH_pathway: Type.Optional(Type.String({ maxLength: 512 })),
  _DASH_throughput: Type.Optional(Type.String({ maxLength: 256 })),
});
export type DashSteeringQuery = Static<typeof DashSteeringQuery>;

export const DashSteeringSchema = Type.Object({
  VERSION: Type.Literal(1),
  TTL: Type.Integer(),
  'PATHWAY-PRIORITY': Type.Array(Type.String(), { description: 'serviceLocation ids, best first (dash.js)' }),
  'SERVICE-LOCATION-PRIORITY': Type.Array(Type.String(), {
    description: 'the same list under the draft name other DASH players read',
  }),
});

export const RegisterAssetBody = Type.Object(
  {
    uploadId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: true },
);
export type RegisterAssetBody = Static<typeof RegisterAssetBody>;

const Ratio = Type.Number({ minimum: 0, maximum: 1 });
const HitRatioSchema = Type.Object(
  {
    ram: Ratio,
    disk: Ratio,
    total: Ratio,
    bytes: Type.Optional(Ratio),
    originBytes: Type.Optional(Type.Integer({ minimum: 0, description: 'bytes filled from the origin' })),
  },
  {
    description:
      'cache hit ratios since the edge started: RAM tier, disk tier (of RAM misses), overall, of bytes (1 − origin bytes / bytes served), and its origin egress',
  },
);

export const EdgeHeartbeatBody = Type.Object({
  edgeId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
  url: Type.String({ pattern: '^https?://', maxLength: 512 }),
  healthy: Type.Boolean(),
  load: Type.Number({ minimum: 0 }),
  assets: Type.Array(Id, { maxItems: 5000 }),
  hitRatio: Type.Optional(HitRatioSchema),
});
export type EdgeHeartbeatBody = Static<typeof EdgeHeartbeatBody>;

export const EdgeListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      edgeId: Type.String(),
      url: Type.String(),
      healthy: Type.Boolean({ description: 'as the edge last reported' }),
      live: Type.Boolean({ description: 'healthy and reported within the last 6 s: steering offers it' }),
      load: Type.Number(),
      heldAssets: Type.Integer(),
      lastSeen: Instant,
      hitRatio: Type.Optional(HitRatioSchema),
    }),
  ),
});
