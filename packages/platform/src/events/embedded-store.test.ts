import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLogStore, type ClaimRequest, type DeliveryRef } from './embedded-store.js';
import { buildEnvelope } from './envelope.js';
import { registerTestTypes } from './testing/harness.js';

/**
 * The embedded log's lease extension at the storage level, where a claim can be lost while its first
 * holder's own timer has not fired yet (another process's clock, a stalled event loop).
 */
registerTestTypes();

let dir: string;
let store: EmbeddedLogStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-events-store-'));
  store = new EmbeddedLogStore(join(dir, 'events.db'));
  store.registerGroup('g', JSON.stringify(['test.happened']));
  store.append([buildEnvelope({ type: 'test.happened', source: 't', data: { n: 1 } })]);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const claim = (member: string, now: number, ackTimeoutMs = 1_000): DeliveryRef[] => {
  const request: ClaimRequest = {
    group: 'g',
    member,
    typesJson: JSON.stringify(['test.happened']),
    limit: 1,
    now,
    ackTimeoutMs,
    maxDeliveries: 2,
    expiredReason: () => 'expired',
  };
  return store
    .claim(request)
    .claimed.map((row) => ({ group: 'g', position: row.position, member, deliveries: row.deliveries }));
};

describe('embedded log: extendLease', () => {
  it('pushes the lease forward, so no other member can claim the event until the new expiry', () => {
    const [mine] = claim('a', 1_000);
    expect(store.extendLease(mine!, 5_000)).toBe(true);
    expect(claim('b', 4_999)).toEqual([]);
    expect(claim('b', 5_000)).toHaveLength(1);
  });

  it('refuses once the expired lease was claimed by another member, or the event dead-lettered', () => {
    const [mine] = claim('a', 1_000);
    const [theirs] = claim('b', 2_000);
    expect(theirs).toMatchObject({ member: 'b', deliveries: 2 });
    expect(store.extendLease(mine!, 9_000)).toBe(false);
    expect(store.extendLease(theirs!, 9_000)).toBe(true);
    // b's lease (the last allowed delivery) lapses: the next claim dead-letters the event.
    expect(claim('c', 9_000)).toEqual([]);
    expect(store.deadLetters('g')).toHaveLength(1);
    expect(store.extendLease(theirs!, 20_000)).toBe(false);
  });

  it('still extends a lapsed lease that nobody claimed: the claim is the member’s until then', () => {
    const [mine] = claim('a', 1_000);
    expect(store.extendLease(mine!, 10_000)).toBe(true);
    expect(claim('b', 9_000)).toEqual([]);
  });
});
