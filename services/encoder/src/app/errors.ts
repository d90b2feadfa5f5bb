import { DomainError } from '@marquee/core';

/**
 * The upload is not media Marquee will encode. Final: retrying cannot help, so a job that hits it is
 * acknowledged and the asset ends `failed` with `reason`, which is written for the operator to read.
 */
export class MediaRejectedError extends DomainError {
  constructor(readonly reason: string) {
    super('media.rejected', reason, { reason });
  }
}

/**
 * ffmpeg or ffprobe failed for a reason that is not the file's fault as far as we can tell (crashed,
 * killed, out of disk). Retryable: the job is redelivered until the event bus gives up.
 */
export class MediaToolError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('media.tool_failed', message, details);
  }
}

/** No usable ffmpeg/ffprobe: raised at start-up with instructions to fix it. */
export class MediaToolsUnavailableError extends DomainError {
  constructor(message: string) {
    super('media.tools_unavailable', message);
  }
}
