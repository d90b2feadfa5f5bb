import type { Page } from 'playwright-core';

/** One play, in milliseconds from the click on Play. */
export interface PlayTiming {
  /** Click → the video's first `playing` event: what the viewer waits for. */
  firstFrame: number;
  /** When each step's response had fully arrived (null when the step did not happen). */
  session: number | null;
  master: number | null;
  steering: number | null;
  mediaPlaylist: number | null;
  init: number | null;
  firstSegment: number | null;
  /** The content key of an encrypted asset (the edge asks streaming for it): decryption waits for it. */
  key: number | null;
  /** Every request after the click: path, start → end (ms), for finding where time goes. */
  trace?: string;
}

/** hls.js events whose time after the click the trace shows (STARTUP_TRACE=1). */
const HLS_STEPS = [
  'hlsMediaAttached',
  'hlsManifestLoading',
  'hlsManifestParsed',
  'hlsLevelLoaded',
  'hlsKeyLoading',
  'hlsKeyLoaded',
  'hlsFragLoading',
  'hlsFragLoaded',
  'hlsFragDecrypted',
  'hlsFragParsed',
  'hlsBufferAppended',
];

/**
 * Installed before any page script: remembers when a Play control was clicked and when the first
 * video started playing (media events do not bubble, but every event passes the capture phase), and
 * — for the trace — when the app's hls.js instance was made (the player publishes it as
 * `window.__marqueeHls`) and when it first reached each of HLS_STEPS.
 */
export const INSTRUMENT = `
  window.__startup = { clickAt: null, playingAt: null, steps: [] };
  const since = () => Math.round(performance.now() - (window.__startup.clickAt ?? 0));
  document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('[data-bench-play], a[href^="/watch/"]'))
      window.__startup.clickAt = performance.now();
  }, true);
  document.addEventListener('playing', () => {
    if (window.__startup.playingAt === null) window.__startup.playingAt = performance.now();
  }, true);
  let hls;
  Object.defineProperty(window, '__marqueeHls', {
    configurable: true,
    get: () => hls,
    set: (instance) => {
      hls = instance;
      window.__startup.steps.push('hls@' + since());
      for (const step of ${JSON.stringify(HLS_STEPS)}) {
        instance.once?.(step, () => window.__startup.steps.push(step.slice(3) + '@' + since()));
      }
    },
  });
`;

/** Waits for the first frame after a click, then reads the step times from Resource Timing. */
export async function readPlayTiming(page: Page, timeoutMs = 20_000): Promise<PlayTiming> {
  await page.waitForFunction(
    () => (window as unknown as { __startup: { playingAt: number | null } }).__startup.playingAt !== null,
    undefined,
    { timeout: timeoutMs },
  );
  // A string, not a function: tsx compiles named helpers into `__name(...)` calls that do not exist
  // in the page.
  return page.evaluate(READ_TIMINGS);
}

const READ_TIMINGS = `(() => {
  const { clickAt, playingAt } = window.__startup;
  const entries = performance.getEntriesByType('resource').filter((e) => e.startTime >= clickAt - 1);
  const done = (test) => {
    const hit = entries.find((e) => test(new URL(e.name).pathname));
    return hit ? Math.round(hit.responseEnd - clickAt) : null;
  };
  return {
    firstFrame: Math.round(playingAt - clickAt),
    session: done((p) => p === '/api/playback' || /^\\/api\\/playback\\/[^/]+\\/start$/.test(p)),
    master: done((p) => p.endsWith('/master.m3u8')),
    steering: done((p) => p.startsWith('/api/steering/')),
    mediaPlaylist: done((p) => p.endsWith('.m3u8') && !p.endsWith('/master.m3u8')),
    init: done((p) => /init[^/]*\\.mp4$/.test(p)),
    firstSegment: done((p) => p.endsWith('.m4s')),
    key: done((p) => p.endsWith('/content.key')),
    trace: window.__startup.steps.join(' ') + ' | ' + entries
      .map((e) => new URL(e.name).pathname.split('/').slice(-2).join('/') + ' ' + Math.round(e.startTime - clickAt) + '→' + Math.round(e.responseEnd - clickAt))
      .join('  '),
  };
})()`;

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** The median of each step over all plays that had it. */
export function medianSteps(timings: readonly PlayTiming[]): Record<keyof PlayTiming, number | null> {
  const keys = (Object.keys(timings[0] ?? {}) as (keyof PlayTiming)[]).filter((k) => k !== 'trace');
  return Object.fromEntries(
    keys.map((k) => {
      const values = timings.map((t) => t[k]).filter((v): v is number => typeof v === 'number');
      return [k, values.length > 0 ? percentile(values, 50) : null];
    }),
  ) as Record<keyof PlayTiming, number | null>;
}
