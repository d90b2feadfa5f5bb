import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@marquee/core';
import {
  backendAvailable,
  replicaAvailable,
  startReplicaPair,
  type ReplicaPair,
} from '@marquee/platform/testing';
import { admin, readyTitle, startStreaming, type Harness } from './harness.js';

/**
 * Streaming on a PostgreSQL primary with a REAL streaming replica as DATABASE_READ_URL, replay paused.
 * A session just started and an admin's title just created must be read on the primary; catalog
 * browsing may lag by the replica's delay, and does (the split docs/adapters.md documents).
 */
const run = replicaAvailable() && (await backendAvailable('redis'));

describe.runIf(run)('streaming with a lagging read replica', () => {
  let pair: ReplicaPair;
  let h: Harness;
  const viewer: Identity = { accountId: 'acc-replica', role: 'viewer', plan: 'premium' };
  beforeAll(async () => {
    pair = await startReplicaPair();
    h = await startStreaming('postgres', {}, { url: pair.primaryUrl, readUrl: pair.replicaUrl });
    h.users.profiles.set('p-replica', { accountId: 'acc-replica', kids: false, maxMaturity: 'NC-17' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await pair?.stop();
  });

  const paused = async <T>(work: () => Promise<T>): Promise<T> => {
    await pair.caughtUp();
    await pair.pauseReplay();
    try {
      return await work();
    } finally {
      await pair.resumeReplay();
    }
  };

  it('a session just started steers, beats and stops while replay is paused', async () => {
    const { titleId } = await readyTitle(h, { name: 'Fresh session' });
    await paused(async () => {
      const started = await h.as(viewer)({
        method: 'POST',
        url: '/api/playback',
        payload: { profileId: 'p-replica', titleId },
      });
      expect(started.statusCode, started.body).toBe(201);
      const { sessionId } = started.json<{ sessionId: string }>();
      // The player's first request after the start (was read on the replica: 404).
      const steering = await h.internal({ method: 'GET', url: `/api/steering/${sessionId}` });
      expect(steering.statusCode, steering.body).toBe(200);
      const beat = await h.as(viewer)({
        method: 'POST',
        url: `/api/playback/${sessionId}/heartbeat`,
        payload: { position: 5 },
      });
      expect(beat.statusCode, beat.body).toBeLessThan(300);
      const stopped = await h.as(viewer)({ method: 'DELETE', url: `/api/playback/${sessionId}` });
      expect(stopped.statusCode).toBe(204);
    });
  });

  it("an admin's title just created is there for the admin and for its upload while replay is paused", async () => {
    await paused(async () => {
      const created = await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'movie', name: 'Just created', year: 2026, maturity: 'PG', genres: ['Drama'] },
      });
      expect(created.statusCode).toBe(201);
      const { titleId } = created.json<{ titleId: string }>();
      const viewed = await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${titleId}` });
      expect(viewed.statusCode, viewed.body).toBe(200);
      const listed = await h.as(admin)({ method: 'GET', url: '/api/admin/titles' });
      expect(JSON.stringify(listed.json())).toContain(titleId);
      // Storage registers the upload of the title the admin has just made.
      const registered = await h.internal({
        method: 'POST',
        url: `/internal/titles/${titleId}/assets`,
        payload: { uploadId: `up-${titleId}`, filename: 'source.mp4' },
      });
      expect(registered.statusCode, registered.body).toBeLessThan(300);
      const again = await h.internal({
        method: 'POST',
        url: `/internal/titles/${titleId}/assets`,
        payload: { uploadId: `up-${titleId}`, filename: 'source.mp4' },
      });
      expect(again.json()).toEqual(registered.json());
    });
  });

  it('catalog browsing reads the replica: a new title shows once replay catches up', async () => {
    const { titleId } = await paused(async () => {
      const made = await readyTitle(h, { name: 'Lagging premiere' });
      const browse = await h.as(viewer)({ method: 'GET', url: `/api/titles/${made.titleId}` });
      expect(browse.statusCode).toBe(404); // not on the replica yet: allowed to be stale
      return made;
    });
    await pair.caughtUp();
    const browse = await h.as(viewer)({ method: 'GET', url: `/api/titles/${titleId}` });
    expect(browse.statusCode).toBe(200);
  });
});
