/**
 * How much a viewer's browsing may fetch ahead of Play (issue 23, instant play): requests and bytes per
 * minute, over a sliding minute. Less on a connection the browser says is slow, metered or saving data
 * (`navigator.connection`, Chromium only; elsewhere the normal budget): there a viewer pays for every
 * byte of a title never played, so only the playback session is prepared, without media.
 */
export interface PrefetchBudget {
  /** Prepare calls (small API answers: a round trip saved at Play, nothing streamed). */
  preparesPerMinute: number;
  /** Playlist and segment requests. */
  mediaRequestsPerMinute: number;
  mediaBytesPerMinute: number;
}

/** The parts of the Network Information API read here (`metered` is a proposal some browsers ship). */
export interface ConnectionHints {
  saveData?: boolean;
  effectiveType?: string;
  type?: string;
  metered?: boolean;
}

/** About a dozen titles' start files a minute (5–7 requests each: master, playlists, inits, first segments). */
export const NORMAL_BUDGET: PrefetchBudget = {
  preparesPerMinute: 20,
  mediaRequestsPerMinute: 84,
  mediaBytesPerMinute: 16 << 20,
};
export const SMALL_BUDGET: PrefetchBudget = {
  preparesPerMinute: 6,
  mediaRequestsPerMinute: 12,
  mediaBytesPerMinute: 1 << 20,
};
export const SESSION_ONLY_BUDGET: PrefetchBudget = {
  preparesPerMinute: 4,
  mediaRequestsPerMinute: 0,
  mediaBytesPerMinute: 0,
};

export function budgetFor(connection: ConnectionHints | undefined): PrefetchBudget {
  if (!connection) return NORMAL_BUDGET;
  if (connection.saveData || connection.effectiveType === 'slow-2g' || connection.effectiveType === '2g') {
    return SESSION_ONLY_BUDGET;
  }
  if (connection.effectiveType === '3g' || connection.metered || connection.type === 'cellular') {
    return SMALL_BUDGET;
  }
  return NORMAL_BUDGET;
}

/** What was spent over the last minute, against a budget read anew at every ask (connections change). */
export class PrefetchSpending {
  private spent: { at: number; prepares: number; requests: number; bytes: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  private window() {
    const since = this.now() - 60_000;
    this.spent = this.spent.filter((s) => s.at > since);
    return this.spent.reduce(
      (a, s) => ({
        prepares: a.prepares + s.prepares,
        requests: a.requests + s.requests,
        bytes: a.bytes + s.bytes,
      }),
      { prepares: 0, requests: 0, bytes: 0 },
    );
  }

  mayPrepare(budget: PrefetchBudget): boolean {
    return this.window().prepares < budget.preparesPerMinute;
  }

  /** Bytes one more media request may take: 0 when the requests or the bytes are spent. */
  mediaRoom(budget: PrefetchBudget): number {
    const used = this.window();
    if (used.requests >= budget.mediaRequestsPerMinute) return 0;
    return Math.max(0, budget.mediaBytesPerMinute - used.bytes);
  }

  spend(what: { prepares?: number; requests?: number; bytes?: number }): void {
    this.spent.push({ at: this.now(), prepares: 0, requests: 0, bytes: 0, ...what });
  }
}
