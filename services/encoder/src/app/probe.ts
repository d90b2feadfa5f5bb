import { MediaRejectedError } from './errors.js';
import { allowedDemuxer } from './input-policy.js';
import { toBcp47 } from './languages.js';

export interface AudioTrack {
  /** Absolute stream index in the source (`-map 0:<index>`). */
  index: number;
  language: string | undefined;
  title: string | undefined;
  channels: number;
  codec: string;
  default: boolean;
}

export interface SubtitleTrack {
  index: number;
  language: string | undefined;
  title: string | undefined;
  codec: string;
  /** Text subtitles can become WebVTT; bitmap ones (PGS, DVD, DVB) cannot and are skipped. */
  text: boolean;
}

/** What Marquee knows about an upload after ffprobe, in display terms (SAR and rotation applied). */
export interface SourceInfo {
  /** The demuxer to force for every later run (from the allow-list). */
  demuxer: string;
  durationSeconds: number;
  /** Absolute index of the main video stream; undefined when there is none. */
  videoStreamIndex: number | undefined;
  videoCodec: string | undefined;
  width: number;
  height: number;
  fps: number;
  /** The frame rate as ffmpeg writes it ("30000/1001"), for exact CFR output. */
  fpsRational: string;
  /** Frame count when the container states it. */
  frames: number | undefined;
  audioTracks: AudioTrack[];
  subtitleTracks: SubtitleTrack[];
}

/** The narrow part of `ffprobe -print_format json -show_format -show_streams` this module reads. */
export interface ProbeJson {
  format?: { format_name?: string; duration?: string };
  streams?: ProbeStream[];
}

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  channels?: number;
  tags?: Record<string, string | undefined>;
  disposition?: Record<string, number | undefined>;
  side_data_list?: { rotation?: number }[];
}

const TEXT_SUBTITLE_CODECS = new Set([
  'subrip',
  'srt',
  'ass',
  'ssa',
  'mov_text',
  'webvtt',
  'text',
  'microdvd',
  'subviewer',
]);

/** ffprobe's answer → SourceInfo. Pure; throws MediaRejectedError when the container is not allowed. */
export function parseProbe(json: ProbeJson): SourceInfo {
  const demuxer = allowedDemuxer(json.format?.format_name ?? '');
  if (demuxer === undefined) {
    throw new MediaRejectedError(
      `The file's format (${json.format?.format_name ?? 'unknown'}) is not one Marquee accepts.`,
    );
  }
  const streams = json.streams ?? [];
  const video = streams.find(
    (s) => s.codec_type === 'video' && !s.disposition?.attached_pic && (s.width ?? 0) > 0,
  );
  const fps = video ? frameRate(video) : undefined;
  const [width, height] = video ? displaySize(video) : [0, 0];
  const duration = positive(json.format?.duration) ?? positive(video?.duration) ?? 0;
  return {
    demuxer,
    durationSeconds: duration,
    videoStreamIndex: video?.index,
    videoCodec: video?.codec_name,
    width,
    height,
    fps: fps?.value ?? 0,
    fpsRational: fps?.rational ?? '0/1',
    frames: video ? positive(video.nb_frames) : undefined,
    audioTracks: streams
      .filter((s) => s.codec_type === 'audio' && (s.channels ?? 0) > 0)
      .map((s) => ({
        index: s.index,
        language: toBcp47(s.tags?.language),
        title: s.tags?.title,
        channels: s.channels ?? 2,
        codec: s.codec_name ?? 'unknown',
        default: s.disposition?.default === 1,
      })),
    subtitleTracks: streams
      .filter((s) => s.codec_type === 'subtitle')
      .map((s) => ({
        index: s.index,
        language: toBcp47(s.tags?.language),
        title: s.tags?.title,
        codec: s.codec_name ?? 'unknown',
        text: TEXT_SUBTITLE_CODECS.has(s.codec_name ?? ''),
      })),
  };
}

function positive(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function frameRate(stream: ProbeStream): { value: number; rational: string } | undefined {
  for (const candidate of [stream.avg_frame_rate, stream.r_frame_rate]) {
    const match = /^(\d+)\/(\d+)$/.exec(candidate ?? '');
    if (!match) continue;
    const num = Number(match[1]);
    const den = Number(match[2]);
    if (num > 0 && den > 0) return { value: num / den, rational: `${num}/${den}` };
  }
  return undefined;
}

/** Width × height as displayed: non-square pixels stretched, 90°/270° rotation swapped (ffmpeg autorotates). */
function displaySize(stream: ProbeStream): [number, number] {
  let width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const sar = /^(\d+):(\d+)$/.exec(stream.sample_aspect_ratio ?? '');
  if (sar && Number(sar[1]) > 0 && Number(sar[2]) > 0)
    width = Math.round((width * Number(sar[1])) / Number(sar[2]));
  const rotation =
    stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ??
    Number(stream.tags?.rotate ?? 0);
  return Math.abs(rotation) % 180 === 90 ? [height, width] : [width, height];
}

export interface SourceLimits {
  minDurationSeconds: number;
  maxDurationSeconds: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimits = { minDurationSeconds: 0.5, maxDurationSeconds: 6 * 3600 };

const MIN_SIDE = 16;
const MAX_LONG_SIDE = 7680;
const MAX_SHORT_SIDE = 4320;
const MAX_ASPECT = 4;

/** Refuses what Marquee will not encode, with the reason an operator reads on the asset. Pure. */
export function validateSource(info: SourceInfo, limits: SourceLimits = DEFAULT_SOURCE_LIMITS): void {
  if (info.videoStreamIndex === undefined) {
    throw new MediaRejectedError(
      'The file has no video stream (audio-only files and still images are not accepted).',
    );
  }
  const size = `${info.width}×${info.height}`;
  const long = Math.max(info.width, info.height);
  const short = Math.min(info.width, info.height);
  if (short < MIN_SIDE)
    throw new MediaRejectedError(`The video is ${size}, smaller than the ${MIN_SIDE}×${MIN_SIDE} minimum.`);
  if (long > MAX_LONG_SIDE || short > MAX_SHORT_SIDE) {
    throw new MediaRejectedError(
      `The video is ${size}, larger than the ${MAX_LONG_SIDE}×${MAX_SHORT_SIDE} maximum.`,
    );
  }
  if (long / short > MAX_ASPECT) {
    throw new MediaRejectedError(
      `The video is ${size}, an aspect ratio wider than ${MAX_ASPECT}:1 is not accepted.`,
    );
  }
  if (!(info.fps >= 1 && info.fps <= 240)) {
    const stated = info.fps > 0 ? `${info.fps.toFixed(2)} fps` : 'unknown';
    throw new MediaRejectedError(`The video's frame rate (${stated}) is outside the accepted 1–240 fps.`);
  }
  if (info.frames === 1)
    throw new MediaRejectedError('The video has a single frame; a still image is not a video.');
  if (info.durationSeconds <= 0) {
    throw new MediaRejectedError(
      'The duration of the video cannot be determined; the file may be truncated.',
    );
  }
  if (info.durationSeconds < limits.minDurationSeconds) {
    throw new MediaRejectedError(
      `The video is ${info.durationSeconds.toFixed(2)} s long, shorter than the ${limits.minDurationSeconds} s minimum.`,
    );
  }
  if (info.durationSeconds > limits.maxDurationSeconds) {
    throw new MediaRejectedError(
      `The video is ${formatDuration(info.durationSeconds)} long, longer than the ${formatDuration(limits.maxDurationSeconds)} maximum.`,
    );
  }
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}
