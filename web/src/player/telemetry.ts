import type Hls from 'hls.js';
import type { TelemetryBatch } from '@marquee/contracts/api';

type Stall = TelemetryBatch['stalls'][number];
type Switch = TelemetryBatch['switches'][number];
type PlayerError = TelemetryBatch['errors'][number];

/** The batch bounds the server enforces (contracts/telemetry.ts): extra items are dropped, not sent. */
const MAX_ITEMS = 100;
/** A jump in media time bigger than this between two timeupdates is a seek, not playback. */
const MAX_STEP_S = 2;
const WORD = /[^A-Za-z0-9_.-]/g;

const word = (text: string) => text.replace(WORD, '_').slice(0, 40) || 'other';

/**
 * What the player measured since the last batch, and the batch built from it. Pure bookkeeping, fed
 * by the player's events (useTelemetry) with times from one clock, so it is tested without a browser.
 */
export class TelemetryCollector {
  private seq = 0;
  private startupMs: number | undefined;
  private startupReported = false;
  private playedOnce = false;
  private stallStartedAt: number | undefined;
  private stallPosition = 0;
  private watchMs = 0;
  private bitrateMs = 0;
  private bitrateWatchMs = 0;
  private lastTime: number | undefined;
  private stalls: Stall[] = [];
  private switches: Switch[] = [];
  private errors: PlayerError[] = [];
  private droppedTotal = 0;
  private droppedSent = 0;
  position = 0;
  edge: string | undefined;

  constructor(private readonly startedAt: number) {}

  /** The video started or resumed playing (the `playing` event). */
  playing(now: number): void {
    if (!this.playedOnce) {
      this.playedOnce = true;
      this.startupMs = Math.max(0, Math.min(600_000, now - this.startedAt));
    }
    if (this.stallStartedAt !== undefined) {
      this.push(this.stalls, {
        position: this.stallPosition,
        durationMs: Math.min(3_600_000, now - this.stallStartedAt),
      });
      this.stallStartedAt = undefined;
    }
  }

  /** The video ran out of buffer (`waiting`); a seek's wait is not a stall. */
  waiting(now: number, position: number, seeking: boolean): void {
    if (!this.playedOnce || seeking || this.stallStartedAt !== undefined) return;
    this.stallStartedAt = now;
    this.stallPosition = position;
  }

  /** Media time advanced while playing; `bitrate` is the rendition playing now, when known. */
  progressed(position: number, bitrate: number | undefined): void {
    const step = this.lastTime === undefined ? 0 : position - this.lastTime;
    this.lastTime = position;
    this.position = position;
    if (step <= 0 || step > MAX_STEP_S) return;
    this.watchMs += step * 1000;
    if (bitrate !== undefined) {
      this.bitrateMs += bitrate * step * 1000;
      this.bitrateWatchMs += step * 1000;
    }
  }

  /** A seek or a pause: the next timeupdate starts a new stretch. */
  interrupted(): void {
    this.lastTime = undefined;
  }

  switched(position: number, bitrate: number, height: number | undefined): void {
    this.push(this.switches, {
      position,
      bitrate: Math.round(bitrate),
      ...(height ? { height } : {}),
    });
  }

  failed(kind: string, fatal: boolean, detail: string | undefined): void {
    this.push(this.errors, {
      kind: word(kind),
      fatal,
      ...(detail ? { detail: detail.slice(0, 200) } : {}),
    });
  }

  droppedFrames(total: number): void {
    this.droppedTotal = Math.max(this.droppedTotal, total);
  }

  /** Whether anything happened since the last batch worth a request. */
  get hasNews(): boolean {
    return (
      (this.startupMs !== undefined && !this.startupReported) ||
      this.watchMs > 0 ||
      this.stalls.length > 0 ||
      this.switches.length > 0 ||
      this.errors.length > 0
    );
  }

  /** The next batch, and the counters start again. */
  take(now: number): TelemetryBatch {
    // A stall still going on is reported so far, and goes on counting in the next batch.
    if (this.stallStartedAt !== undefined) {
      this.push(this.stalls, { position: this.stallPosition, durationMs: now - this.stallStartedAt });
      this.stallStartedAt = now;
    }
    const batch: TelemetryBatch = {
      seq: this.seq++,
      ...(this.startupMs !== undefined && !this.startupReported
        ? { startupMs: Math.round(this.startupMs) }
        : {}),
      watchMs: Math.round(Math.min(3_600_000, this.watchMs)),
      ...(this.bitrateWatchMs > 0 ? { bitrate: Math.round(this.bitrateMs / this.bitrateWatchMs) } : {}),
      position: Math.max(0, this.position),
      stalls: this.stalls,
      switches: this.switches,
      droppedFrames: Math.max(0, this.droppedTotal - this.droppedSent),
      errors: this.errors,
      ...(this.edge ? { edge: word(this.edge) } : {}),
    };
    if (this.startupMs !== undefined) this.startupReported = true;
    this.droppedSent = this.droppedTotal;
    this.watchMs = 0;
    this.bitrateMs = 0;
    this.bitrateWatchMs = 0;
    this.stalls = [];
    this.switches = [];
    this.errors = [];
    return batch;
  }

  private push<T>(list: T[], item: T): void {
    if (list.length < MAX_ITEMS) list.push(item);
  }
}

/** The bitrate and height of the rendition hls.js plays now. */
export function currentRendition(hls: Hls | null): { bitrate: number; height: number } | undefined {
  if (!hls || hls.currentLevel < 0) return undefined;
  const level = hls.levels[hls.currentLevel];
  return level ? { bitrate: level.bitrate, height: level.height } : undefined;
}
