/** One report of `ffmpeg -progress pipe:1`. */
export interface FfmpegProgress {
  /** Output position reached, in seconds of media. */
  outTimeSeconds: number;
  frame?: number;
  /** Bytes written to the outputs so far. */
  totalSize?: number;
  /** True on the final report (`progress=end`). */
  done: boolean;
}

/**
 * Incremental parser for ffmpeg's `-progress` stream: blocks of `key=value` lines, each block closed
 * by a `progress=continue|end` line. Feed it chunks as they arrive; it returns the completed reports.
 * Values that are `N/A` (before the first frame) are left out.
 */
export class ProgressParser {
  private partial = '';
  private fields = new Map<string, string>();

  push(chunk: string): FfmpegProgress[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    const reports: FfmpegProgress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key !== 'progress') {
        this.fields.set(key, value);
        continue;
      }
      reports.push(this.report(value === 'end'));
      this.fields = new Map();
    }
    return reports;
  }

  private report(done: boolean): FfmpegProgress {
    // out_time_us is the modern key; very old builds only had out_time_ms (which was microseconds too).
    const micros = numberOf(this.fields.get('out_time_us')) ?? numberOf(this.fields.get('out_time_ms'));
    const frame = numberOf(this.fields.get('frame'));
    const totalSize = numberOf(this.fields.get('total_size'));
    return {
      outTimeSeconds: micros !== undefined && micros > 0 ? micros / 1e6 : 0,
      ...(frame !== undefined ? { frame } : {}),
      ...(totalSize !== undefined ? { totalSize } : {}),
      done,
    };
  }
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
