/** Thumbnails for the seek bar, tiled into JPEG sprite sheets. */
export interface TrickplayPlan {
  intervalSeconds: number;
  thumbWidth: number;
  thumbHeight: number;
  columns: number;
  rows: number;
  /** Thumbnails in all: one per interval, the first at 0 s. */
  count: number;
  sheets: number;
}

/** Sheet file names relative to the work directory, 1-based like ffmpeg's image2 `%03d`. */
export const TRICKPLAY_DIR = 'trickplay';
export const TRICKPLAY_PATTERN = `${TRICKPLAY_DIR}/sheet_%03d.jpg`;
export const TRICKPLAY_INDEX = 'trickplay.vtt';

export function sheetName(n: number): string {
  return `${TRICKPLAY_DIR}/sheet_${String(n).padStart(3, '0')}.jpg`;
}

const LONG_SIDE = 160;
const MAX_GRID = 10;

/**
 * Every 2 s up to 10 minutes of video, every 5 s beyond (a 3-hour film: 2,160 thumbnails in 22 sheets);
 * 160 px on the long side, aspect kept, even sizes; sheets of up to 10×10.
 */
export function planTrickplay(width: number, height: number, durationSeconds: number): TrickplayPlan {
  const intervalSeconds = durationSeconds <= 600 ? 2 : 5;
  const scale = LONG_SIDE / Math.max(width, height);
  const thumbWidth = Math.max(2, 2 * Math.round((width * scale) / 2));
  const thumbHeight = Math.max(2, 2 * Math.round((height * scale) / 2));
  const count = Math.max(1, Math.ceil(durationSeconds / intervalSeconds));
  const columns = Math.min(MAX_GRID, count);
  const rows = Math.min(MAX_GRID, Math.ceil(count / columns));
  return {
    intervalSeconds,
    thumbWidth,
    thumbHeight,
    columns,
    rows,
    count,
    sheets: Math.ceil(count / (columns * rows)),
  };
}

/**
 * The WebVTT index players use on the seek bar: one cue per thumbnail, pointing at its tile with a
 * media fragment, e.g. `trickplay/sheet_001.jpg#xywh=160,0,160,90`. Paths are relative to the index.
 */
export function trickplayVtt(plan: TrickplayPlan, durationSeconds: number): string {
  const perSheet = plan.columns * plan.rows;
  const cues: string[] = [];
  for (let n = 0; n < plan.count; n += 1) {
    const start = n * plan.intervalSeconds;
    const end = Math.min(durationSeconds, (n + 1) * plan.intervalSeconds);
    if (end <= start) break;
    const tile = n % perSheet;
    const x = (tile % plan.columns) * plan.thumbWidth;
    const y = Math.floor(tile / plan.columns) * plan.thumbHeight;
    const sheet = sheetName(Math.floor(n / perSheet) + 1);
    cues.push(
      `${cueTime(start)} --> ${cueTime(end)}\n${sheet}#xywh=${x},${y},${plan.thumbWidth},${plan.thumbHeight}`,
    );
  }
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

/** hh:mm:ss.mmm */
export function cueTime(seconds: number): string {
  const totalMs = Math.round(seconds * 1000);
  const ms = totalMs % 1000;
  const s = Math.floor(totalMs / 1000) % 60;
  const m = Math.floor(totalMs / 60_000) % 60;
  const h = Math.floor(totalMs / 3_600_000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
}
