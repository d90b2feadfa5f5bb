import { codecProfile, type CodecId } from './codecs/index.js';
import {
  buildEncodeArgs,
  trickplayFilter,
  trickplayOutputArgs,
  type EncodePlan,
  type SourceRange,
} from './encode-args.js';

/**
 * Chunked parallel encoding (issue 16 §1), the pure part: where a title is cut, what each chunk's
 * ffmpeg run is, and how the chunks' media playlists join. A chunk is a whole number of segments, so
 * every chunk starts on a segment boundary, where the one-piece encode forces a key frame anyway
 * (closed GOPs of one segment): a chunked encode has its key frames, segments and segment numbers at
 * exactly the places a one-piece encode has them.
 */
export interface Chunk extends SourceRange {
  index: number;
}

/** The chunk length in use: the setting rounded up to whole segments. */
export function chunkLength(chunkSeconds: number, segmentSeconds: number): number {
  return Math.ceil(chunkSeconds / segmentSeconds) * segmentSeconds;
}

/**
 * The chunks of a title, or none (encode it in one piece) when chunking is off (0) or the title is
 * not longer than one chunk. As many chunks as chunks of `chunkLength` it takes, with the title's
 * whole segments spread evenly over them (lengths differ by one segment at most, the longer first;
 * the last also takes the part-segment at the end), so none is longer than `chunkLength`.
 *
 * Why even and not `chunkLength` each with a short last one: the title is published when its
 * slowest worker is done. 120 s in 32 s chunks is 32, 32, 32, 24: two workers get 64 and 56 s of
 * it and the title waits for the 64. Spread evenly (32, 32, 28, 28) each gets 60.
 */
export function planChunks(durationSeconds: number, chunkSeconds: number, segmentSeconds: number): Chunk[] {
  if (chunkSeconds <= 0) return [];
  const length = chunkLength(chunkSeconds, segmentSeconds);
  if (durationSeconds <= length) return [];
  const count = Math.ceil(durationSeconds / length);
  // Whole segments only: a part-segment at the end stays with the last chunk.
  const segments = Math.max(count, Math.floor(durationSeconds / segmentSeconds));
  const base = Math.floor(segments / count);
  const longer = segments % count;
  let firstSegment = 0;
  return Array.from({ length: count }, (_, index) => {
    const own = base + (index < longer ? 1 : 0);
    const chunk: Chunk = {
      index,
      startSeconds: firstSegment * segmentSeconds,
      ...(index < count - 1 ? { durationSeconds: own * segmentSeconds } : {}),
      firstSegment,
    };
    firstSegment += own;
    return chunk;
  });
}

/** How a chunk is named in logs and failure reasons: "chunk 2 (60–90 s)". */
export function chunkLabel(chunk: Chunk, titleSeconds: number): string {
  const end = chunk.durationSeconds !== undefined ? chunk.startSeconds + chunk.durationSeconds : titleSeconds;
  return `chunk ${chunk.index} (${chunk.startSeconds}–${Math.round(end * 1000) / 1000} s)`;
}

/**
 * One chunk's ffmpeg run: the one-piece encode's own command line (buildEncodeArgs) for the chunk's
 * time range and the video ladder only — audio, poster and subtitles are the title run's, trickplay
 * the assembler's. Output timestamps start at 0; the assembler moves them (fragments.ts). Segments
 * are numbered from the chunk's first.
 */
export function buildChunkArgs(plan: EncodePlan, chunk: Chunk): string[] {
  return buildEncodeArgs(plan, { ladder: true, range: chunk });
}

/**
 * The title job's ffmpeg run: every audio rendition of the whole title (one AAC encode, so no
 * priming gap at chunk joins), the poster (from a second, seeked input: one frame decoded) and the
 * text subtitles. Audio variants go to `stream_<j>/`; the assembler renumbers them after the video.
 */
export function buildTitleArgs(plan: EncodePlan): string[] {
  return buildEncodeArgs(plan, { audio: true, poster: true, subtitles: true });
}

/** The trickplay sheets, from the smallest rung's joined playlist (a cheap decode of the encoded title). */
export function buildTrickplayArgs(plan: EncodePlan, playlistPath: string, pattern: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-y',
    // Our own playlist, just joined in the job's work dir: never an upload (docs/media.md, Hostile input).
    '-protocol_whitelist',
    'file',
    '-f',
    'hls',
    '-i',
    `file:${playlistPath}`,
    '-vf',
    trickplayFilter(plan.trickplay),
    ...trickplayOutputArgs(pattern),
  ];
}

/** An EncodePlan as stored for the chunk and assembly jobs (codec profiles by id, no local paths). */
export type StoredPlan = Omit<EncodePlan, 'sourcePath' | 'extraLadders'> & {
  extraLadders?: { codec: CodecId; rungs: EncodePlan['rungs']; settings: { preset: string } }[];
};

export function storePlan(plan: EncodePlan): StoredPlan {
  const { sourcePath: _local, extraLadders, ...rest } = plan;
  return {
    ...rest,
    ...(extraLadders
      ? {
          extraLadders: extraLadders.map((l) => ({
            codec: l.codec.id,
            rungs: l.rungs,
            settings: l.settings,
          })),
        }
      : {}),
  };
}

export function revivePlan(stored: StoredPlan, sourcePath: string): EncodePlan {
  const { extraLadders, ...rest } = stored;
  return {
    ...rest,
    sourcePath,
    ...(extraLadders
      ? { extraLadders: extraLadders.map((l) => ({ ...l, codec: codecProfile(l.codec) })) }
      : {}),
  };
}
