/**
 * The simulated player's buffer, on the clock the caller passes in: media seconds downloaded ahead
 * of the playhead, the playhead moving in real time while there is media, and stalls — a rebuffer
 * begins when the playhead reaches the end of the buffer before the next segment arrived, and ends
 * when it arrives. Time spent waiting after a seek is counted apart (players show it as seeking).
 */
export class PlaybackBuffer {
  /** Media time (s) of the playhead and of the end of buffered media. */
  private playhead: number;
  private bufferEnd: number;
  private lastMs: number;
  private stalledSince: number | undefined;
  /** Waiting for media after the start or a seek: neither playing nor stalled. */
  private waiting: 'start' | 'seek' | undefined = 'start';
  stallMs = 0;
  stalls = 0;
  playedMs = 0;
  seekWaitMs = 0;

  constructor(nowMs: number, position: number) {
    this.playhead = position;
    this.bufferEnd = position;
    this.lastMs = nowMs;
  }

  /** Moves the playhead to `nowMs`; notes the moment the buffer ran dry. */
  advance(nowMs: number): void {
    const dt = (nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    if (dt <= 0 || this.stalledSince !== undefined) return;
    if (this.waiting) {
      // Until the first segment the player is starting (that is start latency), not stalled.
      if (this.waiting === 'seek') this.seekWaitMs += dt * 1000;
      return;
    }
    const room = this.bufferEnd - this.playhead;
    if (dt <= room) {
      this.playhead += dt;
      this.playedMs += dt * 1000;
      return;
    }
    this.playhead = this.bufferEnd;
    this.playedMs += room * 1000;
    this.stalledSince = nowMs - (dt - room) * 1000;
    this.stalls++;
  }

  /** A segment of `seconds` arrived at `nowMs`. */
  append(nowMs: number, seconds: number): void {
    this.advance(nowMs);
    if (this.stalledSince !== undefined) {
      this.stallMs += nowMs - this.stalledSince;
      this.stalledSince = undefined;
    }
    this.waiting = undefined;
    this.bufferEnd += seconds;
  }

  /** Jumps to `position`: the buffer is flushed and the wait for media is a seek, not a stall. */
  seek(nowMs: number, position: number): void {
    this.advance(nowMs);
    if (this.stalledSince !== undefined) {
      this.stallMs += nowMs - this.stalledSince;
      this.stalledSince = undefined;
    }
    this.playhead = position;
    this.bufferEnd = position;
    this.waiting = 'seek';
  }

  /** Closes an open stall at the end of a session (a viewer who gives up while stalled). */
  finish(nowMs: number): void {
    this.advance(nowMs);
    if (this.stalledSince !== undefined) {
      this.stallMs += nowMs - this.stalledSince;
      this.stalledSince = undefined;
    }
  }

  position(nowMs: number): number {
    this.advance(nowMs);
    return this.playhead;
  }

  /** Seconds of media buffered ahead of the playhead at `nowMs`. */
  ahead(nowMs: number): number {
    this.advance(nowMs);
    return this.bufferEnd - this.playhead;
  }

  /** Media time up to which segments have been fetched. */
  get end(): number {
    return this.bufferEnd;
  }
}
