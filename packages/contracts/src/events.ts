import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MaturitySchema as Maturity, PlanSchema as Plan } from './schemas.js';
import { TelemetryReported } from './telemetry.js';

/**
 * Data schemas of the event catalogue (DESIGN.md). Objects accept additional properties so a newer
 * producer can add fields without breaking older consumers; the listed fields are required unless
 * marked optional. Adding a field is compatible; removing or retyping one needs a new event type.
 */
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Seconds = Type.Number({ minimum: 0 });

export const MediaUploaded = Type.Object({
  assetId: Id,
  titleId: Id,
  key: Type.String({ minLength: 1, maxLength: 1024 }),
  filename: Type.String({ minLength: 1, maxLength: 512 }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});

export const MediaEncodingProgress = Type.Object({
  assetId: Id,
  titleId: Id,
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  stage: Type.String({ minLength: 1, maxLength: 64 }),
});

export const Rendition = Type.Object({
  /** The codec family; absent on assets encoded before AV1 was added, which are all H.264. */
  codec: Type.Optional(Type.Union([Type.Literal('h264'), Type.Literal('av1')])),
  height: Type.Integer({ minimum: 1 }),
  width: Type.Integer({ minimum: 1 }),
  bandwidth: Type.Integer({ minimum: 1 }),
  codecs: Type.String({ minLength: 1 }),
});

const Reading = Type.Union([Type.Number(), Type.Null()]);
const LoudnessReading = Type.Object({
  /** Integrated loudness, LUFS; null for silence (loudnorm measures −inf). */
  integratedLufs: Reading,
  truePeakDbtp: Reading,
  lraLu: Reading,
});

/**
 * An audio track's EBU R128 normalisation (issue 16): the target, how loudnorm treated it (`linear`:
 * one constant gain; `dynamic`: its compressing fallback; `none`: silent, left as it was) and the
 * loudness measured on the source track and on the encoded rendition. Absent on assets encoded before
 * it, or with ENCODER_LOUDNESS off.
 */
export const AudioTrackLoudness = Type.Object({
  targetLufs: Type.Number(),
  mode: Type.Union([Type.Literal('linear'), Type.Literal('dynamic'), Type.Literal('none')]),
  input: LoudnessReading,
  output: LoudnessReading,
});

/** An encoded audio rendition (the encoder always sends name, language and channels). */
export const EncodedAudioTrack = Type.Object({
  name: Type.Optional(Type.String()),
  language: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  channels: Type.Optional(Type.Integer({ minimum: 1 })),
  loudness: Type.Optional(AudioTrackLoudness),
});

export type AudioTrackLoudnessData = Static<typeof AudioTrackLoudness>;

export const MediaEncoded = Type.Object({
  assetId: Id,
  titleId: Id,
  renditions: Type.Array(Rendition, { minItems: 1 }),
  durationSeconds: Seconds,
  posterKey: Type.Optional(Type.String({ minLength: 1 })),
  audio: Type.Optional(Type.Array(EncodedAudioTrack)),
  /** Set when the segments are encrypted: the asset's content key, wrapped by a master key (never clear). */
  contentKey: Type.Optional(
    Type.Object({
      method: Type.Literal('AES-128'),
      keyId: Type.String({ minLength: 1, maxLength: 64 }),
      wrapped: Type.String({ minLength: 1, maxLength: 256 }),
    }),
  ),
});

/**
 * Chunked encoding (issue 16 §1): encoder-internal jobs on the event stream, so that any encoder
 * replica takes any chunk. `media.chunk.requested` asks for chunk `index` of `count` of an asset (its
 * time range is in the asset's stored plan); `media.assembly.requested` asks for the chunks' outputs
 * to be joined into the asset once all are stored.
 */
export const MediaChunkRequested = Type.Object({
  assetId: Id,
  titleId: Id,
  index: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 1 }),
});

export const MediaAssemblyRequested = Type.Object({
  assetId: Id,
  titleId: Id,
  count: Type.Integer({ minimum: 1 }),
});

export const MediaEncodingFailed = Type.Object({
  assetId: Id,
  titleId: Id,
  reason: Type.String({ minLength: 1 }),
});

/**
 * No artwork URL on purpose: poster URLs are signed for the edge streaming ranks best at the time and
 * expire, so an event in a durable log would carry a stale one. Whoever shows posters asks streaming
 * (the gateway does, for home rows, in one batched call).
 */
export const TitlePublished = Type.Object({
  titleId: Id,
  assetId: Type.Optional(Id),
  /** Optional for events from older publishers; an episode names its series so rows can show the series. */
  kind: Type.Optional(Type.Union([Type.Literal('movie'), Type.Literal('series'), Type.Literal('episode')])),
  seriesId: Type.Optional(Id),
  name: Type.String({ minLength: 1 }),
  genres: Type.Array(Type.String({ minLength: 1 })),
  maturity: Maturity,
  year: Type.Integer({ minimum: 1870, maximum: 3000 }),
});

/**
 * The operator deleted a title (a series goes with its episodes). Storage removes every blob of the
 * named assets, their sources and the titles' subtitle sidecars and artwork.
 */
export const TitleDeleted = Type.Object({
  titleId: Id,
  /** The deleted title and, for a series, its episodes. */
  titleIds: Type.Array(Id, { minItems: 1 }),
  assetIds: Type.Array(Id),
});

/**
 * A subtitle sidecar was stored for a title. The encoder adds it to the title's ready asset (a new
 * subtitle rendition and master playlist) without touching the video; a title still encoding reads
 * it with its other sidecars.
 */
export const SubtitleUploaded = Type.Object({
  titleId: Id,
  key: Type.String({ minLength: 1, maxLength: 1024 }),
  filename: Type.String({ minLength: 1, maxLength: 512 }),
  language: Type.String({ minLength: 2, maxLength: 16 }),
});

export const PlaybackProgress = Type.Object({
  sessionId: Id,
  accountId: Id,
  profileId: Id,
  titleId: Id,
  position: Seconds,
  duration: Type.Optional(Seconds),
  /**
   * On `playback.stopped` only: streaming ended the session itself because its stream slot lapsed
   * (the player went away without a stop). Its position is the last heartbeat's, already reported,
   * and its time is not the viewer's: it must not put a position back over a newer session's.
   */
  lapsed: Type.Optional(Type.Literal(true)),
});

export const UserCreated = Type.Object({ accountId: Id, plan: Plan });

export const ProfileCreated = Type.Object({
  accountId: Id,
  profileId: Id,
  kids: Type.Boolean(),
  maxMaturity: Maturity,
});

export const TitleRated = Type.Object({
  accountId: Id,
  profileId: Id,
  titleId: Id,
  rating: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Null()]),
});

export const MyListChanged = Type.Object({
  accountId: Id,
  profileId: Id,
  titleId: Id,
  inList: Type.Boolean(),
});

/**
 * The account was deleted by its owner (issue 17 item 6). Users has already removed its own rows; every
 * other service that holds data about the account or its profiles (streaming's playback sessions, the
 * recommender's interactions) removes it on receipt, idempotently. Ids only: nothing personal travels.
 */
export const AccountDeleted = Type.Object({
  accountId: Id,
  profileIds: Type.Array(Id),
});

/** Event type → data schema. */
export const eventCatalogue = {
  'media.uploaded': MediaUploaded,
  'media.encoding.progress': MediaEncodingProgress,
  'media.encoded': MediaEncoded,
  'media.encoding.failed': MediaEncodingFailed,
  'media.chunk.requested': MediaChunkRequested,
  'media.assembly.requested': MediaAssemblyRequested,
  'title.published': TitlePublished,
  'title.deleted': TitleDeleted,
  'media.subtitle.uploaded': SubtitleUploaded,
  'playback.started': PlaybackProgress,
  'playback.heartbeat': PlaybackProgress,
  'playback.stopped': PlaybackProgress,
  'user.created': UserCreated,
  'profile.created': ProfileCreated,
  'title.rated': TitleRated,
  'mylist.changed': MyListChanged,
  'account.deleted': AccountDeleted,
  'telemetry.reported': TelemetryReported,
} satisfies Record<string, TSchema>;

export type CatalogueEventType = keyof typeof eventCatalogue;
/** The data type of a catalogue event, e.g. `EventData<'media.uploaded'>`. */
export type EventData<T extends CatalogueEventType> = Static<(typeof eventCatalogue)[T]>;
