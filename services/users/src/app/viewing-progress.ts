import { isFinishedViewing } from '@marquee/contracts';

/** What users keeps per profile and title from playback events. */
export interface ViewingProgress {
  /** Resume position, seconds. */
  position: number;
  duration: number | null;
  completed: boolean;
  /** When this viewing began (first event). */
  startedAt: string;
  /** Time of the newest event applied (ISO-8601 UTC). */
  eventTime: string;
}

export interface PlaybackObservation {
  type: 'playback.started' | 'playback.heartbeat' | 'playback.stopped';
  /** The event's own time (CloudEvents `time`), ISO-8601. */
  time: string;
  position: number;
  duration?: number;
}

/**
 * The progress after one playback event, or undefined when the event changes nothing. Events can
 * arrive late, twice or out of order (at-least-once delivery, several streaming instances), so
 * the position only moves with a strictly newer event time: a replay or a straggler is a no-op.
 * A `started` after a finished viewing begins a new one (rewatch).
 */
export function applyPlayback(
  previous: ViewingProgress | undefined,
  event: PlaybackObservation,
): ViewingProgress | undefined {
  const time = new Date(event.time).toISOString();
  if (previous && time <= previous.eventTime) return undefined;
  const duration = event.duration ?? previous?.duration ?? null;
  const rewatch = event.type === 'playback.started' && (previous?.completed ?? false);
  const finished = event.type !== 'playback.started' && isFinishedViewing(event.position, duration);
  return {
    position: event.position,
    duration,
    completed: finished,
    startedAt: previous && !rewatch ? previous.startedAt : time,
    eventTime: time,
  };
}
