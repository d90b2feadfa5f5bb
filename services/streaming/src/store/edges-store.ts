import { jsonColumn } from '@marquee/platform';
import type { EdgeHitRatio, EdgeReport } from '../app/edge-ranking.js';
import type { Executor } from './titles-store.js';

export async function upsertEdge(db: Executor, edge: EdgeReport): Promise<void> {
  const row = {
    edge_id: edge.edgeId,
    url: edge.url,
    healthy: edge.healthy ? 1 : 0,
    load: edge.load,
    assets: jsonColumn.encode(edge.assets),
    last_seen: edge.lastSeen,
    hit_ratio: edge.hitRatio ? jsonColumn.encode(edge.hitRatio) : null,
  };
  await db
    .insertInto('edges')
    .values(row)
    .onConflict((oc) =>
      oc.column('edge_id').doUpdateSet({
        url: row.url,
        healthy: row.healthy,
        load: row.load,
        assets: row.assets,
        last_seen: row.last_seen,
        hit_ratio: row.hit_ratio,
      }),
    )
    .execute();
}

export async function listEdges(db: Executor): Promise<EdgeReport[]> {
  const rows = await db.selectFrom('edges').selectAll().orderBy('edge_id').execute();
  return rows.map((r) => ({
    edgeId: r.edge_id,
    url: r.url,
    healthy: r.healthy === 1,
    load: r.load,
    assets: jsonColumn.decode<string[]>(r.assets),
    lastSeen: r.last_seen,
    ...(r.hit_ratio ? { hitRatio: jsonColumn.decode<EdgeHitRatio>(r.hit_ratio) } : {}),
  }));
}

export async function deleteEdge(db: Executor, edgeId: string): Promise<void> {
  await db.deleteFrom('edges').where('edge_id', '=', edgeId).execute();
}

/** Forgets edges silent since `before` (epoch ms): a decommissioned node leaves the table. */
export async function deleteEdgesSilentSince(db: Executor, before: number): Promise<void> {
  await db.deleteFrom('edges').where('last_seen', '<', before).execute();
}
