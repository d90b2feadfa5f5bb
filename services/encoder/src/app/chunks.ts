import { codecProfile, type CodecId } from './codecs/index.js';
import {
  audioLabel,
  cmafHlsMuxerArgs,
  HLS_VARIANT_PATTERN,
  ladderCascade,
  MEDIA_PLAYLIST,
  POSTER_FILE,
  rawSubtitleFile,
  videoCodecArgs,
  videoOutputs,
  type EncodePlan,
} from './encode-args.js';
import { safeInputArgs } from './input-policy.js';

/**
 * Chunked parallel encoding (issue 16 §1), the pure part: where a title is cut, what each chunk's
 * ffmpeg run is, and how the chunks' media playlists join. A chunk is a whole number of segments, so
 * every chunk starts on a segment boundary, where the one-piece encode forces a key frame anyway
 * (closed GOPs of one segment): a chunked encode has its key frames, segments and segment numbers at
 * exactly the places a one-piece encode has them.
 */
export interface Chunk {
  index: number;
  startSeconds: number;
  /** Absent on the last chunk, which runs to the end of the source. */
  durationSeconds?: number;
  /** Number of its first segment in the title (segments are numbered from 0). */
  firstSegment: number;
}

/** The chunk length in use: the setting rounded up to whole segments. */
export function chunkLength(chunkSeconds: number, segmentSeconds: number): number {
  return Math.ceil(chunkSeconds / segmentSeconds) * segmentSeconds;
}

/**
 * The chunks of a title, or none (encode it in one piece) when chunking is off (0) or the title is
 * not longer than one chunk.
 */
export function planChunks(durationSeconds: number, chunkSeconds: number, segmentSeconds: number): Chunk[] {
  if (chunkSeconds <= 0) return [];
  const length = chunkLength(chunkSeconds, segmentSeconds);
  if (durationSeconds <= length) return [];
  const count = Math.ceil(durationSeconds / length);
  return Array.from({ length: count }, (_, index) => ({
    index,
    startSeconds: index * length,
    ...(index < count - 1 ? { durationSeconds: length } : {}),
    firstSegment: (index * length) / segmentSeconds,
  }));
}

/** How a chunk is named in logs and failure reasons: "chunk 2 (60–90 s)". */
export function chunkLabel(chunk: Chunk, titleSeconds: number): string {
  const end = chunk.durationSeconds !== undefined ? chunk.startSeconds + chunk.durationSeconds : titleSeconds;
  return `chunk ${chunk.index} (${chunk.startSeconds}–${Math.round(end * 1000) / 1000} s)`;
}

/**
 * One chunk's ffmpeg run: the video ladder only (audio, poster and subtitles are the title job's,
 * trickplay the assembler's), from an accurate input seek to the chunk's start (ffmpeg decodes from
 * the key frame before it and drops what precedes it), for its duration. Output timestamps start at 0;
 * the assembler moves them (fragments.ts). Segments are numbered from the chunk's first.
 */
export function buildChunkArgs(plan: EncodePlan, chunk: Chunk): string[] {
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-progress', 'pipe:1', '-nostats', '-y'];
  args.push('-ss', String(chunk.startSeconds));
  if (chunk.durationSeconds !== undefined) args.push('-t', String(chunk.durationSeconds));
  args.push(...safeInputArgs(plan.sourcePath, plan.source.demuxer));
  const graph = [
    `[0:${plan.source.videoStreamIndex}]fps=${plan.outputFps},format=yuv420p[c0]`,
    ...ladderCascade(plan),
  ];
  args.push('-filter_complex', graph.join(';'));
  const video = videoOutputs(plan);
  video.forEach((v) => args.push('-map', v.label));
  args.push('-map_metadata', '-1', '-map_chapters', '-1');
  args.push(...videoCodecArgs(plan, video));
  args.push(
    '-max_muxing_queue_size',
    '4096',
    ...cmafHlsMuxerArgs(plan.segmentSeconds, `${HLS_VARIANT_PATTERN}/seg_%05d.m4s`),
    '-start_number',
    String(chunk.firstSegment),
    '-var_stream_map',
    video.map((v) => `v:${v.stream}`).join(' '),
    `${HLS_VARIANT_PATTERN}/${MEDIA_PLAYLIST}`,
  );
  return args;
}

/**
 * The title job's ffmpeg run: every audio rendition of the whole title (one AAC encode, so no
 * priming gap at chunk joins), the poster (a second, seeked input: one frame decoded) and the text
 * subtitles. Audio variants go to `stream_<j>/`; the assembler renumbers them after the video.
 */
export function buildTitleArgs(plan: EncodePlan): string[] {
  const { poster } = plan;
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-progress', 'pipe:1', '-nostats', '-y'];
  args.push(...safeInputArgs(plan.sourcePath, plan.source.demuxer));
  args.push('-ss', String(poster.atSeconds), ...safeInputArgs(plan.sourcePath, plan.source.demuxer));
  const graph = [
    `[1:${plan.source.videoStreamIndex}]fps=${plan.outputFps},format=yuv420p,scale=${poster.width}:${poster.height},setsar=1[poster]`,
  ];
  plan.audio.forEach((a, j) => {
    if (a.filter !== undefined) graph.push(`[0:${a.index}]${a.filter}${audioLabel(j)}`);
  });
  args.push('-filter_complex', graph.join(';'));
  if (plan.audio.length > 0) {
    plan.audio.forEach((a, j) => args.push('-map', a.filter !== undefined ? audioLabel(j) : `0:${a.index}`));
    args.push('-map_metadata', '-1', '-map_chapters', '-1', '-c:a', 'aac', '-ar', '48000');
    plan.audio.forEach((a, j) =>
      args.push(`-b:a:${j}`, `${a.bitrateKbps}k`, `-ac:a:${j}`, String(a.channels)),
    );
    args.push(
      ...cmafHlsMuxerArgs(plan.segmentSeconds, `${HLS_VARIANT_PATTERN}/seg_%05d.m4s`),
      '-var_stream_map',
      plan.audio.map((_, j) => `a:${j}`).join(' '),
      `${HLS_VARIANT_PATTERN}/${MEDIA_PLAYLIST}`,
    );
  }
  args.push('-map', '[poster]', '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2');
  args.push('-update', '1', POSTER_FILE);
  plan.subtitles.forEach((index, k) =>
    args.push('-map', `0:${index}`, '-c:s', 'webvtt', '-f', 'webvtt', rawSubtitleFile(k)),
  );
  return args;
}

/** The trickplay sheets, from the smallest rung's joined playlist (a cheap decode of the encoded title). */
export function buildTrickplayArgs(plan: EncodePlan, playlistPath: string, pattern: string): string[] {
  const t = plan.trickplay;
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
    `fps=1/${t.intervalSeconds},scale=${t.thumbWidth}:${t.thumbHeight},setsar=1,tile=${t.columns}x${t.rows}`,
    '-c:v',
    'mjpeg',
    '-q:v',
    '5',
    '-f',
    'image2',
    '-start_number',
    '1',
    pattern,
  ];
}

/**
 * Joins the chunks' media playlists (in chunk order) into the title's: the first one's header, the
 * largest target duration, every segment in order, one end tag.
 */
export function joinMediaPlaylists(playlists: readonly string[]): string {
  let header: string[] | undefined;
  let target = 0;
  const segments: string[] = [];
  for (const text of playlists) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const first = lines.findIndex((l) => l.startsWith('#EXTINF'));
    if (first < 0) throw new Error('a chunk playlist has no segment');
    header ??= lines.slice(0, first);
    for (const line of lines) {
      const match = /^#EXT-X-TARGETDURATION:(\d+)/.exec(line);
      if (match) target = Math.max(target, Number(match[1]));
    }
    segments.push(...lines.slice(first).filter((l) => l !== '#EXT-X-ENDLIST'));
  }
  const head = (header ?? []).map((l) => {
    if (l.startsWith('#EXT-X-TARGETDURATION:')) return `#EXT-X-TARGETDURATION:${target}`;
    if (l.startsWith('#EXT-X-MEDIA-SEQUENCE:')) return '#EXT-X-MEDIA-SEQUENCE:0';
    return l;
  });
  return `${[...head, ...segments, '#EXT-X-ENDLIST'].join('\n')}\n`;
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
