/**
 * What the instant-logout check (issue 17 item 4) adds to each authenticated request at the gateway:
 * one cache read of the session's revocation mark (SessionRevocations.assertLive). Measured on the
 * in-process cache (monolithic mode) and on Redis (microservices mode), beside the rate-limit counter
 * increment the gateway already makes on the same request, so the figure has a reference taken in the
 * same conditions. Rounds alternate the two operations; prints µs per call, sequential (latency added
 * to one request) and 50 in flight (what a loaded gateway pays per request).
 *
 *   node packages/cli/bin/run-ts.mjs bench/gateway/revocation-cost.ts   (REDIS_URL for another Redis)
 */
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { SessionRevocations } from '@marquee/core';
import { openCache, type Cache } from '@marquee/platform';

const CALLS = Number(process.env.REVOCATION_BENCH_CALLS ?? 20_000);
const ROUNDS = Number(process.env.REVOCATION_BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 50;

async function timePerCall(op: (i: number) => Promise<unknown>, parallel: number): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < CALLS) await op(next++);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1000 / CALLS;
}

async function measure(name: string, cache: Cache): Promise<void> {
  const revocations = new SessionRevocations(cache);
  // Realistic content: some sessions ended, the ones asked about mostly live.
  const ended = Array.from({ length: 1_000 }, () => randomUUID());
  await revocations.revoke(ended);
  const live = Array.from({ length: 1_000 }, () => randomUUID());
  const check = (i: number) => revocations.assertLive(live[i % live.length]!);
  const count = (i: number) => cache.increment(`bench:rl:${i % 1_000}`, 60_000);
  await timePerCall(check, IN_FLIGHT); // warm-up
  for (const parallel of [1, IN_FLIGHT]) {
    const rows: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const a = await timePerCall(check, parallel);
      const b = await timePerCall(count, parallel);
      rows.push(`revocation ${a.toFixed(2)} µs, rate-limit counter ${b.toFixed(2)} µs`);
    }
    console.log(`${name}, ${parallel} in flight, ${CALLS} calls per round:`);
    for (const [i, row] of rows.entries()) console.log(`  round ${i + 1}: ${row}`);
  }
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const memory = await openCache();
await measure('in-process cache', memory);
await memory.close();
const redis = await openCache({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: `bench-revocation-${process.pid}:`,
});
await measure('Redis', redis);
await redis.close();
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
