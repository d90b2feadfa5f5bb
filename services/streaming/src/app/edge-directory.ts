import type { Database } from '@marquee/platform';
import { deleteEdge, deleteEdgesSilentSince, listEdges, upsertEdge } from '../store/edges-store.js';
import type { StreamingTables } from '../store/tables.js';
import { DEFAULT_STALE_AFTER_MS, isLive, rankEdges, type EdgeReport } from './edge-ranking.js';

/** How long one instance reuses the edge table before reading it again. */
const MEMO_MS = 1_000;
/** Edges silent this long are forgotten altogether. */
const FORGET_AFTER_MS = 10 * 60_000;

/**
 * The edges streaming knows about: reports land in the edges table (so every streaming instance sees
 * them), reads are memoised for a second (steering requests come from every player every few seconds).
 * Before any edge has reported — the first seconds after a start — the configured edge URLs stand in.
 */
export class EdgeDirectory {
  private memo: { at: number; edges: EdgeReport[] } | undefined;

  constructor(
    private readonly db: Database<StreamingTables>,
    private readonly configuredUrls: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  async report(edge: Omit<EdgeReport, 'lastSeen'>): Promise<void> {
    await upsertEdge(this.db.write, { ...edge, lastSeen: this.now() });
    this.memo = undefined;
  }

  async leave(edgeId: string): Promise<void> {
    await deleteEdge(this.db.write, edgeId);
    this.memo = undefined;
  }

  async forgetSilent(): Promise<void> {
    await deleteEdgesSilentSince(this.db.write, this.now() - FORGET_AFTER_MS);
  }

  async all(): Promise<EdgeReport[]> {
    const now = this.now();
    if (!this.memo || now - this.memo.at > MEMO_MS) {
      this.memo = { at: now, edges: await listEdges(this.db.read) };
    }
    return this.memo.edges;
  }

  /** Live edges best first for an asset; never empty while any edge is known or configured. */
  async ranked(assetId?: string, current?: string): Promise<EdgeReport[]> {
    const now = this.now();
    const edges = await this.all();
    const ranked = rankEdges(edges, { now, assetId, current, staleAfterMs: DEFAULT_STALE_AFTER_MS });
    if (ranked.length > 0) return ranked;
    // Nothing live: offer what we know, most recently heard first, so a recovering edge is tried.
    if (edges.length > 0) return [...edges].sort((a, b) => b.lastSeen - a.lastSeen);
    return this.configuredUrls.map((url, i) => ({
      edgeId: `edge-${i + 1}`,
      url,
      healthy: true,
      load: 0,
      assets: [],
      lastSeen: now,
    }));
  }

  /** Live edges for an edge's own pathway list (what it writes into master playlists). */
  async live(): Promise<EdgeReport[]> {
    const now = this.now();
    return (await this.all()).filter((e) => isLive(e, now));
  }
}
