/**
 * An asset's life: uploading → queued → encoding → ready, or failed with a reason. Encoder events
 * arrive at least once and not necessarily in order (a progress event can be redelivered after
 * `media.encoded`), so the state only ever moves forward: a transition is applied when it advances the
 * asset and ignored otherwise. That makes every event handler idempotent without bookkeeping.
 */
export const ASSET_STATES = ['uploading', 'queued', 'encoding', 'ready', 'failed'] as const;
export type AssetState = (typeof ASSET_STATES)[number];

export interface Rendition {
  height: number;
  width: number;
  bandwidth: number;
  codecs: string;
}

export interface AssetSnapshot {
  state: AssetState;
  progress: number;
  stage: string | null;
  reason: string | null;
}

export type AssetEvent =
  | { type: 'uploaded' }
  | { type: 'progress'; progress: number; stage: string }
  | { type: 'encoded'; renditions: Rendition[]; durationSeconds: number; posterKey?: string }
  | { type: 'failed'; reason: string };

export type AssetChange =
  | { state: 'queued' }
  | { state: 'encoding'; progress: number; stage: string }
  | {
      state: 'ready';
      progress: 1;
      renditions: Rendition[];
      durationSeconds: number;
      posterKey: string | null;
    }
  | { state: 'failed'; reason: string };

/** failed ranks below ready: a finished encode that lands after a failure report is the newer truth. */
const RANK: Record<AssetState, number> = { uploading: 0, queued: 1, encoding: 2, failed: 3, ready: 4 };

/** The change `event` makes to `current`, or undefined when it is stale or a duplicate. */
export function nextAssetState(current: AssetSnapshot, event: AssetEvent): AssetChange | undefined {
  switch (event.type) {
    case 'uploaded':
      return RANK[current.state] < RANK.queued ? { state: 'queued' } : undefined;
    case 'progress': {
      const progress = Math.min(1, Math.max(0, event.progress));
      if (RANK[current.state] < RANK.encoding) return { state: 'encoding', progress, stage: event.stage };
      if (current.state === 'encoding' && progress > current.progress) {
        return { state: 'encoding', progress, stage: event.stage };
      }
      return undefined;
    }
    case 'encoded':
      return current.state === 'ready'
        ? undefined
        : {
            state: 'ready',
            progress: 1,
            renditions: [...event.renditions].sort((a, b) => b.height - a.height),
            durationSeconds: event.durationSeconds,
            posterKey: event.posterKey ?? null,
          };
    case 'failed':
      return RANK[current.state] < RANK.failed ? { state: 'failed', reason: event.reason } : undefined;
  }
}
