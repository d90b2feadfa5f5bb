import type { Logger, ServiceClient } from '@marquee/core';
import type { EdgeIdentity } from '../edge-identity.js';

export interface Peer {
  edgeId: string;
  url: string;
}

export const REPORT_INTERVAL_MS = 2_000;
const HELD_ASSETS_REPORTED = 2_000;

/**
 * Reports this edge to streaming every two seconds (health, load, held assets) and keeps what
 * streaming answers: the live edges (this edge's pathways) and where the steering server is. When
 * streaming is unreachable the last answer stays in use — playback keeps working with what was known.
 */
export class SteeringReporter {
  private peerList: Peer[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  steeringBaseUrl: string;

  constructor(
    private readonly deps: {
      identity: EdgeIdentity;
      streaming: ServiceClient;
      load: () => number;
      heldAssets: (limit: number) => string[];
      /** Cache hit ratios for the admin console's edge view; optional so tests can leave it out. */
      hitRatio?: () => Promise<{
        ram: number;
        disk: number;
        total: number;
        bytes: number;
        originBytes: number;
      }>;
      healthy: () => boolean;
      logger: Logger;
      defaultSteeringBaseUrl: string;
    },
  ) {
    this.peerList = [{ edgeId: deps.identity.edgeId, url: deps.identity.url }];
    this.steeringBaseUrl = deps.defaultSteeringBaseUrl;
  }

  /** Pathways for a master playlist: this edge first (it is alive: it is answering), then the others. */
  peers(): Peer[] {
    return this.peerList;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.report().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, REPORT_INTERVAL_MS);
      });
    };
    tick();
  }

  async report(): Promise<void> {
    const { identity, streaming } = this.deps;
    try {
      const res = await streaming.post<{ edges?: Peer[]; steeringBaseUrl?: string }>(
        '/internal/edges/heartbeat',
        {
          edgeId: identity.edgeId,
          url: identity.url,
          healthy: this.deps.healthy(),
          load: this.deps.load(),
          assets: this.deps.heldAssets(HELD_ASSETS_REPORTED),
          ...(this.deps.hitRatio ? { hitRatio: await this.deps.hitRatio() } : {}),
        },
        { timeoutMs: 1_500 },
      );
      if (res.status !== 200) throw new Error(`streaming answered ${res.status}`);
      const others = (res.body.edges ?? []).filter((e) => e.edgeId !== identity.edgeId);
      this.peerList = [{ edgeId: identity.edgeId, url: identity.url }, ...others];
      if (res.body.steeringBaseUrl) this.steeringBaseUrl = res.body.steeringBaseUrl;
    } catch (err) {
      this.deps.logger.debug({ err }, 'could not report to steering; keeping the last peer list');
    }
  }

  /** Stops reporting and tells streaming this edge is leaving, so players are steered away at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.deps.streaming
      .request('DELETE', `/internal/edges/${encodeURIComponent(this.deps.identity.edgeId)}`, {
        timeoutMs: 1_000,
      })
      .catch(() => undefined);
  }
}
