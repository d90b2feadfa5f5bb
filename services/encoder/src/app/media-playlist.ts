export interface MeasuredSegment {
  durationSeconds: number;
  bytes: number;
}

/**
 * Peak bit rate as HLS defines it (RFC 8216bis 4.4.6.2): the largest bit rate of any run of
 * contiguous segments lasting between 0.5 and 1.5 target durations — so a short last segment holding
 * a keyframe does not inflate BANDWIDTH. When the whole stream is shorter than that, its average.
 */
export function peakBitrate(segments: readonly MeasuredSegment[], targetDurationSeconds: number): number {
  const min = 0.5 * targetDurationSeconds;
  const max = 1.5 * targetDurationSeconds;
  let peak = 0;
  for (let i = 0; i < segments.length; i += 1) {
    let seconds = 0;
    let bytes = 0;
    for (let j = i; j < segments.length; j += 1) {
      seconds += segments[j]!.durationSeconds;
      bytes += segments[j]!.bytes;
      if (seconds > max) break;
      if (seconds >= min) peak = Math.max(peak, (bytes * 8) / seconds);
    }
  }
  return Math.ceil(peak > 0 ? peak : averageBitrate(segments));
}

export function averageBitrate(segments: readonly MeasuredSegment[]): number {
  const seconds = segments.reduce((sum, s) => sum + s.durationSeconds, 0);
  const bytes = segments.reduce((sum, s) => sum + s.bytes, 0);
  return seconds > 0 ? Math.ceil((bytes * 8) / seconds) : 0;
}
