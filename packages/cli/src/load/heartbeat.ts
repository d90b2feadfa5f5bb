/**
 * A session's heartbeats, as a player sends them: one every `everyMs` with the current position, at most
 * one in flight. `stop()` ends them and resolves once the beat in flight (if any) has its answer, so the
 * session's stop is sent after its last heartbeat, never beside it: a heartbeat overtaken by its own
 * session's stop (the gateway never holds a stop back, and may hold a heartbeat in its backlog) is
 * answered 403 `playback.session_ended`, rightly, and was counted as an error of the platform.
 */
export class SessionHeartbeat {
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> | undefined;

  constructor(everyMs: number, send: (position: number) => Promise<void>, position: () => number) {
    this.timer = setInterval(() => {
      // A beat still unanswered after a whole interval is not doubled: the next one carries the news.
      if (this.inFlight) return;
      this.inFlight = send(position())
        .catch(() => undefined)
        .finally(() => (this.inFlight = undefined));
    }, everyMs);
  }

  /** No more beats; resolves when the last one sent has been answered (or failed). */
  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.inFlight ?? Promise.resolve();
  }
}
