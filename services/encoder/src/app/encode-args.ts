import { h264FamilyArgs, h264Profile, type CodecLadder } from './codecs/index.js';
import { safeInputArgs } from './input-policy.js';
import type { Rung } from './ladder.js';
import type { SourceInfo } from './probe.js';
import { TRICKPLAY_PATTERN, type TrickplayPlan } from './trickplay.js';

export interface AudioOutput {
  /** Absolute stream index in the source. */
  index: number;
  bitrateKbps: number;
  channels: number;
  /**
   * Loudness normalisation (loudness.ts's second pass): a filter chain the track goes through in the
   * filter graph. Absent (loudness off, or a silent track): the stream is mapped as it is.
   */
  filter?: string;
}

export interface PosterPlan {
  atSeconds: number;
  width: number;
  height: number;
}

/** Everything the one ffmpeg run produces, decided before it starts. */
export interface EncodePlan {
  sourcePath: string;
  source: SourceInfo;
  /** Output frame rate, exact ("30000/1001"), and as a number. */
  outputFps: string;
  fps: number;
  segmentSeconds: number;
  preset: string;
  /** x264 threads per rung; undefined lets x264 choose (about 1.5 × cores each). */
  threads: number | undefined;
  /** The H.264 ladder, which every asset has. */
  rungs: Rung[];
  /**
   * Further codec families (ENCODER_CODECS), encoded in the same run from the same decode and scaling
   * cascade: each rung must have the size of an H.264 rung.
   */
  extraLadders?: CodecLadder[];
  audio: AudioOutput[];
  /** Absolute indexes of the source's text subtitle streams. */
  subtitles: number[];
  poster: PosterPlan;
  trickplay: TrickplayPlan;
}

/** Where ffmpeg's HLS muxer writes variant `v` (renamed afterwards: it cannot name them itself on old builds). */
export const hlsVariantDir = (v: number): string => `stream_${v}`;
export const HLS_VARIANT_PATTERN = 'stream_%v';
/** An H.264 rung's directory (other families: their profile's `videoDir`). */
export const videoDir = (rung: Rung): string => h264Profile.videoDir(rung);
export const audioDir = (n: number): string => `audio_${n}`;
export const subtitleDir = (n: number): string => `subs_${n}`;
export const rawSubtitleFile = (n: number): string => `${subtitleDir(n)}/extracted.vtt`;
export const POSTER_FILE = 'poster.jpg';
export const MEDIA_PLAYLIST = 'index.m3u8';

/** Source > 60 fps is halved (120 → 60, 119.88 → 59.94): players and H.264 levels want ≤ 60. */
export function outputFrameRate(fpsRational: string): { rational: string; value: number } {
  const [numText, denText] = fpsRational.split('/');
  const num = Number(numText);
  let den = Number(denText) || 1;
  while (num / den > 60) den *= 2;
  return { rational: `${num}/${den}`, value: num / den };
}

/** The poster: a frame at 10 % of the film (past opening black), at most 1280×720, aspect kept. */
export function planPoster(width: number, height: number, durationSeconds: number): PosterPlan {
  const portrait = height > width;
  const scale = Math.min(1, (portrait ? 720 : 1280) / width, (portrait ? 1280 : 720) / height);
  return {
    atSeconds: Math.round(durationSeconds * 0.1 * 1000) / 1000,
    width: Math.max(2, 2 * Math.round((width * scale) / 2)),
    height: Math.max(2, 2 * Math.round((height * scale) / 2)),
  };
}

/** A part of the source one run encodes (a chunk, chunks.ts): its ladder only, from an input seek. */
export interface SourceRange {
  startSeconds: number;
  /** Absent: to the end of the source. */
  durationSeconds?: number;
  /** The number of its first segment in the title (segments are numbered from 0). */
  firstSegment: number;
}

/**
 * What one ffmpeg run writes. The one-piece encode writes everything ({@link WHOLE_TITLE}); a chunked
 * encode splits the same outputs over runs (chunks.ts), built here too so the two cannot drift.
 */
export interface EncodeRunScope {
  /** Every family's video rungs. */
  ladder?: boolean;
  audio?: boolean;
  poster?: boolean;
  trickplay?: boolean;
  subtitles?: boolean;
  /** Only this time range of the source; the ladder alone (audio, poster and the rest are the title's). */
  range?: SourceRange;
}

/** How much of the source the poster's own input reads: its frame and room for the `fps` filter. */
const POSTER_INPUT_SECONDS = 2;

export const WHOLE_TITLE: EncodeRunScope = {
  ladder: true,
  audio: true,
  poster: true,
  trickplay: true,
  subtitles: true,
};

/** Whether the run decodes every frame of the video (the poster then branches off that decode). */
const decodesVideo = (scope: EncodeRunScope): boolean => Boolean(scope.ladder || scope.trickplay);

/**
 * The filter graph: ONE decode, converted once to CFR 4:2:0, then `split` into what the run writes:
 * the ladder, the poster and the trickplay thumbnails. The ladder is a cascade — each rung is scaled
 * from the rung above it, not from the source — which halves the scaling work (measured: 0.9 instead
 * of 2.0 CPU-s per 10 s of 1080p for five rungs) at no visible cost. The poster branch trims to a
 * one-second window first, so only a handful of frames are ever scaled for it; a run that decodes no
 * video takes the poster from a second input seeked to it (one frame decoded: buildEncodeArgs).
 */
export function encodeFilterGraph(plan: EncodePlan, scope: EncodeRunScope = WHOLE_TITLE): string {
  const { poster } = plan;
  const cfr = `fps=${plan.outputFps},format=yuv420p`;
  const video = `[0:${plan.source.videoStreamIndex}]`;
  const posterBranch = scope.poster === true && decodesVideo(scope);
  const branches = [
    ...(scope.ladder ? ['[c0]'] : []),
    ...(posterBranch ? ['[sp]'] : []),
    ...(scope.trickplay ? ['[st]'] : []),
  ];
  const parts: string[] = [];
  if (branches.length === 1) parts.push(`${video}${cfr}${branches[0]}`);
  if (branches.length > 1) parts.push(`${video}${cfr},split=${branches.length}${branches.join('')}`);
  if (scope.ladder) parts.push(...ladderCascade(plan));
  const posterScale = `scale=${poster.width}:${poster.height},setsar=1[poster]`;
  if (posterBranch) parts.push(`[sp]trim=start=${poster.atSeconds}:duration=1,${posterScale}`);
  else if (scope.poster) parts.push(`[1:${plan.source.videoStreamIndex}]${cfr},${posterScale}`);
  if (scope.trickplay) parts.push(`[st]${trickplayFilter(plan.trickplay)}[trick]`);
  if (scope.audio)
    plan.audio.forEach((a, j) => {
      if (a.filter !== undefined) parts.push(`[0:${a.index}]${a.filter}${audioLabel(j)}`);
    });
  return parts.join(';');
}

/** The trickplay thumbnails' filter chain: one frame an interval, scaled, tiled into sheets. */
export function trickplayFilter(t: TrickplayPlan): string {
  return `fps=1/${t.intervalSeconds},scale=${t.thumbWidth}:${t.thumbHeight},setsar=1,tile=${t.columns}x${t.rows}`;
}

/** The scaling cascade from `[c0]` (the CFR 4:2:0 picture) to every video output's label. */
export function ladderCascade(plan: EncodePlan): string[] {
  const { rungs } = plan;
  const parts: string[] = [];
  const extra = plan.extraLadders ?? [];
  rungs.forEach((r, i) => {
    // A rung of the size above it (a hull ladder may put several rates on one size) takes that
    // picture as it is: `scale` to its own size would only copy it.
    const above = rungs[i - 1];
    const sameSize = above !== undefined && above.width === r.width && above.height === r.height;
    const scaled = sameSize ? `[c${i}]null` : `[c${i}]scale=${r.width}:${r.height},setsar=1`;
    const outputs = [`[v${i}]`];
    extra.forEach((ladder, k) => {
      if (ladder.rungs.some((x) => x.name === r.name)) outputs.push(extraLabel(i, k));
    });
    if (i < rungs.length - 1) outputs.push(`[c${i + 1}]`);
    parts.push(
      outputs.length === 1
        ? `${scaled}${outputs[0]}`
        : `${scaled},split=${outputs.length}${outputs.join('')}`,
    );
  });
  return parts;
}

/** The filter graph output of audio output `j` (only when it has a filter). */
export const audioLabel = (j: number): string => `[a${j}]`;

/** The cascade output feeding extra ladder `k`'s rung of H.264 rung `i`'s size. */
const extraLabel = (i: number, k: number): string => `[v${i}x${k + 1}]`;

/** One video output of the run: its stream index among the video outputs, its family and rung. */
export interface VideoOutput {
  stream: number;
  ladder: CodecLadder;
  rung: Rung;
  /** The filter graph label it is mapped from. */
  label: string;
}

/** Every video output in stream order: the H.264 rungs (v:0…), then each further family's. */
export function videoOutputs(plan: EncodePlan): VideoOutput[] {
  const h264: CodecLadder = { codec: h264Profile, rungs: plan.rungs, settings: { preset: plan.preset } };
  const outputs: VideoOutput[] = plan.rungs.map((rung, i) => ({
    stream: i,
    ladder: h264,
    rung,
    label: `[v${i}]`,
  }));
  (plan.extraLadders ?? []).forEach((ladder, k) => {
    for (const rung of ladder.rungs) {
      // By name: a family's rungs are made from the H.264 ones (CodecProfile.ladder) and keep their
      // names, which are unique where sizes need not be (several rates on one size).
      const i = plan.rungs.findIndex((r) => r.name === rung.name);
      if (i < 0) throw new Error(`${ladder.codec.id} rung ${rung.name} has no H.264 rung of its name`);
      outputs.push({ stream: outputs.length, ladder, rung, label: extraLabel(i, k) });
    }
  });
  return outputs;
}

/**
 * The command line of one encode run: by default the whole title, else the outputs `scope` names. One
 * input (opened under the hostile-input policy; with a range, seeked accurately to its start: ffmpeg
 * decodes from the key frame before it and drops what precedes it, and output timestamps start at 0),
 * up to four kinds of output files: the CMAF HLS ladder (every rung and every audio track, one variant
 * each), the poster, the trickplay sheets, and one WebVTT file per text subtitle stream.
 */
export function buildEncodeArgs(plan: EncodePlan, scope: EncodeRunScope = WHOLE_TITLE): string[] {
  const { range } = scope;
  if (range && (scope.audio || scope.poster || scope.trickplay || scope.subtitles))
    throw new Error("a time range encodes the ladder only: audio, poster and the rest are the whole title's");
  const input = safeInputArgs(plan.sourcePath, plan.source.demuxer);
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-progress', 'pipe:1', '-nostats', '-y'];
  if (range) {
    args.push('-ss', String(range.startSeconds));
    if (range.durationSeconds !== undefined) args.push('-t', String(range.durationSeconds));
  }
  args.push(...input);
  // The poster's own input ends POSTER_INPUT_SECONDS after its frame: with `-frames:v 1` on the output
  // alone, ffmpeg 5.1 went on decoding the input to its end (a chunked title's audio run decoded the
  // whole film for one frame: 10 CPU-s a minute of 1080p).
  if (scope.poster && !decodesVideo(scope))
    args.push('-ss', String(plan.poster.atSeconds), '-t', String(POSTER_INPUT_SECONDS), ...input);
  const graph = encodeFilterGraph(plan, scope);
  if (graph !== '') args.push('-filter_complex', graph);

  // --- HLS ladder: the video rungs and the audio renditions, variants in that order
  const video = scope.ladder ? videoOutputs(plan) : [];
  const audio = scope.audio ? plan.audio : [];
  if (video.length + audio.length > 0) {
    video.forEach((v) => args.push('-map', v.label));
    audio.forEach((a, j) => args.push('-map', a.filter !== undefined ? audioLabel(j) : `0:${a.index}`));
    args.push('-map_metadata', '-1', '-map_chapters', '-1');
    if (video.length > 0) args.push(...videoCodecArgs(plan, video));
    if (audio.length > 0) args.push('-c:a', 'aac', '-ar', '48000');
    audio.forEach((a, j) => args.push(`-b:a:${j}`, `${a.bitrateKbps}k`, `-ac:a:${j}`, String(a.channels)));
    const variants = [...video.map((v) => `v:${v.stream}`), ...audio.map((_, j) => `a:${j}`)];
    args.push(
      '-max_muxing_queue_size',
      '4096',
      ...cmafHlsMuxerArgs(plan.segmentSeconds, `${HLS_VARIANT_PATTERN}/seg_%05d.m4s`),
      ...(range ? ['-start_number', String(range.firstSegment)] : []),
      '-var_stream_map',
      variants.join(' '),
      `${HLS_VARIANT_PATTERN}/${MEDIA_PLAYLIST}`,
    );
  }
  if (scope.poster) {
    args.push('-map', '[poster]', '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2');
    args.push('-update', '1', POSTER_FILE);
  }
  if (scope.trickplay) args.push('-map', '[trick]', ...trickplayOutputArgs(TRICKPLAY_PATTERN));
  // --- text subtitles, each to its own WebVTT file
  if (scope.subtitles)
    plan.subtitles.forEach((index, k) =>
      args.push('-map', `0:${index}`, '-c:s', 'webvtt', '-f', 'webvtt', rawSubtitleFile(k)),
    );
  return args;
}

/** The trickplay sheets' output options (JPEG sheets numbered from 1), after the map or the input. */
export function trickplayOutputArgs(pattern: string): string[] {
  return ['-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2', '-start_number', '1', pattern];
}

/**
 * Every video output's encoder options: the family's defaults, closed GOPs of exactly one segment
 * (at the same frames in every rung, so segments align across rungs), then each stream's own.
 */
export function videoCodecArgs(
  plan: Pick<EncodePlan, 'segmentSeconds' | 'fps' | 'preset' | 'threads'>,
  video: readonly VideoOutput[],
): string[] {
  const gop = Math.max(1, Math.round(plan.segmentSeconds * plan.fps));
  // H.264 is the first family: its options are the unscoped defaults, other families override per stream.
  const args = [...h264FamilyArgs(plan.preset)];
  args.push('-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-flags:v', '+cgop');
  args.push('-force_key_frames', `expr:gte(t,n_forced*${plan.segmentSeconds})`);
  if (plan.threads !== undefined) args.push('-threads', String(plan.threads));
  video.forEach((v) => args.push(...v.ladder.codec.streamArgs(v.stream, v.rung, v.ladder.settings)));
  return args;
}

/**
 * The CMAF (fMP4) HLS VOD muxer options, up to the segment file pattern: shared by the ladder and by
 * bench/encode's naive reference, so the two always package identically.
 */
export function cmafHlsMuxerArgs(segmentSeconds: number, segmentFilename: string): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    'init.mp4',
    '-hls_flags',
    'independent_segments',
    '-hls_segment_filename',
    segmentFilename,
  ];
}
