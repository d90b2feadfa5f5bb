/** What every simulated viewer reports into; one instance per run, read by the progress line and the report. */
export class LoadMetrics {
  readonly startedAt = performance.now();
  starts = { attempted: 0, playing: 0, refused: 0, failed: 0 };
  readonly refusals = new Map<string, number>();
  readonly errors = new Map<string, number>();
  /** First attempts that failed and were sent to another pathway at once (player.ts): not errors. */
  readonly retries = new Map<string, number>();
  readonly startLatencies: number[] = [];
  readonly segmentLatencies: number[] = [];
  requests = { api: 0, playlists: 0, media: 0, steering: 0 };
  segments = 0;
  mediaBytes = 0;
  /** Seconds of media fetched, and the same weighted by the variant's declared bandwidth (bit). */
  mediaSeconds = 0;
  declaredBits = 0;
  playedMs = 0;
  stallMs = 0;
  stalls = 0;
  seeks = 0;
  seekWaitMs = 0;
  switches = 0;
  sessionsEnded = 0;
  /** Sessions between their Play and their stop, and viewers signed in. */
  playingNow = 0;
  viewersReady = 0;
  signInFailures = 0;

  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  retried(kind: string): void {
    this.retries.set(kind, (this.retries.get(kind) ?? 0) + 1);
  }

  refused(code: string): void {
    this.starts.refused++;
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }

  segment(ms: number, bytes: number): void {
    this.requests.media++;
    this.segments++;
    this.mediaBytes += bytes;
    this.segmentLatencies.push(ms);
  }

  get errorCount(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }

  get retryCount(): number {
    let n = 0;
    for (const v of this.retries.values()) n += v;
    return n;
  }

  /** Stall time over stall plus playing time (the industry's rebuffering ratio). */
  get rebufferRatio(): number {
    const total = this.stallMs + this.playedMs;
    return total > 0 ? this.stallMs / total : 0;
  }
}

/** Nearest-rank percentile of unsorted samples (sorted in place). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  samples.sort((a, b) => a - b);
  return samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
}
