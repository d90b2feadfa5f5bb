/**
 * When a viewing counts as finished, so that "resume" and "watched" agree everywhere (users' history,
 * streaming's resume point, the web app's progress bars). The tail is relative to the title's length —
 * the last 5 %, at most the last 30 s — so a 12 s clip paused at 7 s resumes at 7 s, while a film left
 * in its end credits counts as watched.
 */
export const FINISHED_TAIL_SHARE = 0.05;
export const FINISHED_TAIL_MAX_SECONDS = 30;

export function isFinishedViewing(position: number, duration: number | null | undefined): boolean {
  if (duration === null || duration === undefined || !(duration > 0)) return false;
  const tail = Math.min(FINISHED_TAIL_MAX_SECONDS, duration * FINISHED_TAIL_SHARE);
  return duration - position <= tail;
}
