import { MediaRejectedError, MediaToolError } from '../app/errors.js';
import type { RunResult } from './run.js';

/** What a refused demuxer name tells the operator about their file. */
const DEMUXER_MEANING: Record<string, string> = {
  hls: 'an HLS playlist',
  applehttp: 'an HLS playlist',
  dash: 'a DASH manifest',
  concat: 'an ffmpeg concat list',
  sdp: 'an SDP session description',
  rtsp: 'an RTSP description',
  image2: 'an image',
  png_pipe: 'a PNG image',
  jpeg_pipe: 'a JPEG image',
  webp_pipe: 'a WebP image',
  gif: 'a GIF image',
  tty: 'a text file',
  srt: 'a subtitle file',
  webvtt: 'a subtitle file',
  ass: 'a subtitle file',
  mp3: 'an audio file',
  wav: 'an audio file',
  flac: 'an audio file',
  aac: 'an audio file',
};

/** Removes the absolute job path ffmpeg prefixes its messages with: reasons are shown to operators. */
function lastMessage(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .map((l) =>
      l
        .replace(/file:\/\S+?:\s*/g, '')
        .replace(/^\[[^\]]+\]\s*/, '')
        .trim(),
    )
    .filter(Boolean);
  return (lines[lines.length - 1] ?? 'no message').slice(0, 200);
}

/**
 * ffprobe could not open an upload: turn its stderr into the reason an operator reads. Everything here
 * is the file's fault (final), except a crash or a kill from outside, which may be retried.
 */
export function probeFailure(
  result: RunResult,
  limits: { wallTimeMs: number },
  context: { looksLikeMp4: boolean },
): Error {
  if (result.outcome === 'timed_out') {
    return new MediaRejectedError(
      `Reading the file took longer than ${Math.round(limits.wallTimeMs / 1000)} s; it was stopped.`,
    );
  }
  if (result.outcome === 'memory_exceeded' || /Cannot allocate memory/i.test(result.stderr)) {
    return new MediaRejectedError('Reading the file needed more memory than allowed; it was stopped.');
  }
  if (result.outcome === 'output_exceeded')
    return new MediaRejectedError('The file describes an absurd number of streams.');
  if (result.outcome === 'aborted') return new MediaToolError('Probing was cancelled.');
  const refused = /\[(\w+) @ [^\]]*\] Format not on whitelist/.exec(result.stderr);
  if (refused) {
    const what = DEMUXER_MEANING[refused[1]!] ?? `a "${refused[1]}" file`;
    return new MediaRejectedError(`The file is ${what}, not a video format Marquee accepts.`);
  }
  // The mov demuxer also takes a stab at random data; only call it a truncated MP4 when it starts like one.
  if (/moov atom not found/i.test(result.stderr) && context.looksLikeMp4) {
    return new MediaRejectedError(
      'The file is an incomplete MP4/MOV: its index is missing (the upload may be truncated).',
    );
  }
  if (/Invalid data found when processing input|moov atom not found/i.test(result.stderr)) {
    return new MediaRejectedError(
      'The file is not a video format Marquee can read (unrecognised or corrupt data).',
    );
  }
  if (result.signal !== null && result.signal !== 'SIGKILL') {
    return new MediaToolError(`ffprobe crashed (${result.signal}).`, { stderr: lastMessage(result.stderr) });
  }
  return new MediaRejectedError(`The file could not be read: ${lastMessage(result.stderr)}.`);
}

/**
 * ffmpeg failed while decoding/encoding. A time or memory limit, or decode errors, are the file's
 * fault; other failures (a crash, a full disk) are retryable MediaToolErrors.
 */
export function encodeFailure(
  result: RunResult,
  stage: string,
  limits: { wallTimeMs: number; memoryBytes?: number },
): Error {
  if (result.outcome === 'timed_out') {
    return new MediaRejectedError(
      `${stage} took longer than the ${Math.round(limits.wallTimeMs / 60_000)} min limit; it was stopped.`,
    );
  }
  const gib = limits.memoryBytes ? ` of ${(limits.memoryBytes / 1024 ** 3).toFixed(1)} GiB` : '';
  if (
    result.outcome === 'memory_exceeded' ||
    /Cannot allocate memory|malloc of size \d+ failed/i.test(result.stderr)
  ) {
    return new MediaRejectedError(`${stage} needed more than the memory limit${gib}; it was stopped.`);
  }
  if (result.outcome === 'aborted') return new MediaToolError(`${stage} was cancelled.`);
  if (/No space left on device/i.test(result.stderr))
    return new MediaToolError(`${stage} ran out of disk space.`);
  if (result.signal !== null) {
    return new MediaToolError(`ffmpeg was killed by ${result.signal} during ${stage.toLowerCase()}.`, {
      stderr: lastMessage(result.stderr),
    });
  }
  if (/Invalid data found|error while decoding|corrupt|Invalid NAL/i.test(result.stderr)) {
    return new MediaRejectedError(`The video could not be decoded: ${lastMessage(result.stderr)}.`);
  }
  return new MediaToolError(`${stage} failed: ${lastMessage(result.stderr)}`, { exitCode: result.exitCode });
}
