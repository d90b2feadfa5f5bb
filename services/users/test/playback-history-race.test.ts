import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { applyPlaybackEvent } from '../src/jobs/playback-history.js';
import { storeBackends } from './harness.js';
import { at, playbackViewerEachTest } from './playback-viewer.js';

/**
 * Two events of one profile and title handled at the same moment (the consumer runs 4 at once; a
 * redelivery after a kill, a relay publishing a dead replica's outbox in one batch, two users replicas):
 * each reads the stored row, finds its event newer, and writes. The older one must not commit last over
 * the newer one — the cluster acceptance test lost heartbeats this way. PostgreSQL only: SQLite has one
 * writer, so its transactions never overlap.
 */

const backends = (await storeBackends()).filter((b) => b.backend === 'postgres');

describe.each(backends)('viewing history under concurrent events on $backend', ({ backend, available }) => {
  const v = playbackViewerEachTest(backend, available);
  const now = () => new Date();

  it.runIf(available)('keeps the newest position when an older event commits last', async () => {
    expect(await applyPlaybackEvent(v.db, v.playback('started', 0, 0), now)).toBe('applied');

    // Holds the history row locked (on the read pool: a connection the events' transactions do not wait
    // for), so that both events read it as it is and then queue for it: the newer first, the older behind
    // it. The commit lets them write in that order.
    let newer: Promise<unknown> | undefined;
    let older: Promise<unknown> | undefined;
    await v.db.read.transaction().execute(async (trx) => {
      await trx
        .selectFrom('viewing_history')
        .select('position')
        .where('profile_id', '=', v.profileId)
        .forUpdate()
        .execute();
      // Transactions queued behind this one, directly or behind one that waits for it.
      const waiting = async () => {
        const { rows } = await sql<{ n: string }>`
          with direct as (select pid from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid)))
          select count(*) as n from pg_stat_activity
          where pid in (select pid from direct) or pg_blocking_pids(pid) && array(select pid from direct)`.execute(
          trx,
        );
        return Number(rows[0]!.n);
      };
      const until = async (count: number) => {
        const deadline = Date.now() + 20_000;
        while ((await waiting()) < count) {
          if (Date.now() > deadline) throw new Error(`expected ${count} transactions waiting for the row`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      newer = applyPlaybackEvent(v.db, v.playback('heartbeat', 20, 200), now);
      await until(1);
      older = applyPlaybackEvent(v.db, v.playback('heartbeat', 10, 100), now);
      await until(2);
    });
    await Promise.all([newer, older]);

    const stored = await v.history();
    expect(stored).toMatchObject({ position: 200, lastWatchedAt: at(20) });
  });
});
