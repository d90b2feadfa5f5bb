/**
 * The processes of the recommendations benchmark, one role each, every one printing one JSON line:
 *   ease <n>      EASE trained on a synthetic n-item matrix, on every CPU: seconds, peak RSS
 *   fallback <n>  what the service trains for an n-title catalog with its default settings
 *                 (EASE on the most watched RECS_EASE_MAX_ITEMS, item-kNN for the rest): seconds,
 *                 peak RSS
 *   hello         bare Fastify: a hello-world, and a home-sized JSON page from memory (references)
 *   recommender   the real recommender service on loopback with embedded backends and a users
 *                 stand-in, fed through the event bus; prints its URL, token and profile ids, then
 *                 retrains its models back to back between a `train` and a `stop` line on stdin
 */
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { createLogger, serviceToken } from '@marquee/core';
import { createTestContext } from '@marquee/platform/testing';
import { buildRecommender } from '@marquee/recommender';
import { runToEnd } from '../../services/recommender/src/app/cooperative.js';
import { trainEaseSteps } from '../../services/recommender/src/app/models/ease.js';
import {
  buildInteractionMatrix,
  type Interaction,
} from '../../services/recommender/src/app/models/interaction-matrix.js';
import { DEFAULT_TRAINING_CONFIG, trainSnapshotSteps } from '../../services/recommender/src/app/training.js';
import { syntheticRatings } from '../../services/recommender/src/eval/synthetic.js';
import { startUsersFixture } from '../../services/recommender/test/users-fixture.js';

const host = '127.0.0.1';
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * Positives of a synthetic data set with n items: 2 profiles per item (~31 positives each), at most
 * 32,000 profiles (about a million positives, the size issue 19 asks to train at 50,000 titles).
 */
function syntheticInteractions(n: number, seed = 1): Interaction[] {
  return syntheticRatings({
    users: Math.min(2 * n, 32_000),
    items: n,
    clusters: Math.max(4, Math.round(n / 50)),
    ratingsPerUser: [20, 60],
    seed,
  })
    .filter((r) => r.rating >= 4)
    .map((r) => ({ user: r.user, item: r.item.padStart(6, '0'), weight: 1 }));
}

function itemAxis(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i + 1).padStart(6, '0'));
}

/**
 * A full collection, so that the generator's garbage (the synthetic ratings as JavaScript objects,
 * ~300 MiB at 10,000 items) is gone before EASE allocates: the peak then is what training needs,
 * as in the service, which reads interactions in pages into the typed-array matrix.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function ease(n: number) {
  const matrix = (() => {
    const interactions = syntheticInteractions(n);
    return {
      interactions: interactions.length,
      matrix: buildInteractionMatrix(interactions, { items: itemAxis(n) }),
    };
  })();
  collectGarbage();
  const before = Math.round(process.memoryUsage.rss() / 1024 ** 2);
  const started = performance.now();
  runToEnd(trainEaseSteps(matrix.matrix, { threads: availableParallelism() }));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      n,
      interactions: matrix.interactions,
      seconds,
      peakRssMb: peakRssMb(),
      baseRssMb: before,
    }),
  );
}

async function fallback(n: number) {
  const interactions = syntheticInteractions(n);
  const titles = itemAxis(n).map((titleId, i) => ({
    titleId,
    name: `Title ${i}`,
    year: 1990 + (i % 35),
    maturity: 'PG-13' as const,
    genres: [`g${i % 12}`],
    posterUrl: null,
    seriesId: null,
    publishedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  }));
  const rows = interactions.map((i) => ({
    profileId: i.user,
    titleId: i.item,
    played: true,
    completion: 1,
    lastStartedAt: null,
    rating: null,
    inList: false,
  }));
  const before = peakRssMb();
  const started = performance.now();
  const config = { ...DEFAULT_TRAINING_CONFIG, threads: availableParallelism() };
  const snapshot = runToEnd(trainSnapshotSteps({ titles, interactions: rows }, config));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      n,
      model: snapshot.ease
        ? `EASE on ${snapshot.ease.items.length} of ${snapshot.activeItems} watched` +
          (snapshot.ease.items.length < snapshot.activeItems ? ', item-kNN for the rest' : '')
        : snapshot.personalModel,
      interactions: rows.length,
      seconds,
      peakRssMb: peakRssMb(),
      baseRssMb: before,
    }),
  );
}

async function hello() {
  const app = Fastify();
  app.get('/', async () => ({ hello: 'world' }));
  // A page of the size of a home page (10 rows of 20 titles), from memory: the cost of the bytes alone.
  const page = Buffer.from(
    JSON.stringify({
      rows: Array.from({ length: 10 }, (_, r) => ({
        id: `row-${r}`,
        title: `Row ${r}`,
        items: Array.from({ length: 20 }, (_, i) => ({
          titleId: `t${String(r * 20 + i).padStart(5, '0')}`,
          name: `Title ${r * 20 + i}`,
          year: 2000 + i,
          maturity: 'PG-13',
          genres: [`Genre ${i % 12}`, `Genre ${(i * 7) % 12}`],
        })),
      })),
    }),
  );
  app.get('/page', async (_req, reply) => reply.type('application/json; charset=utf-8').send(page));
  console.log(JSON.stringify({ url: await app.listen({ port: 0, host }) }));
}

async function recommender() {
  const titles = Number(process.env.RECS_BENCH_TITLES ?? 2000);
  const profiles = Number(process.env.RECS_BENCH_PROFILES ?? 1000);
  const ctx = await createTestContext();
  const users = await startUsersFixture(ctx.secret);
  ctx.urls.users = [users.url];
  const module = await buildRecommender({ ...ctx, logger: createLogger({ level: 'warn' }) });
  await module.start();
  await ctx.bus.publish(
    Array.from({ length: titles }, (_, i) => ({
      type: 'title.published',
      source: 'bench',
      data: {
        titleId: `t${String(i).padStart(5, '0')}`,
        name: `Title ${i}`,
        genres: [`Genre ${i % 12}`, `Genre ${(i * 7) % 12}`],
        maturity: (['G', 'PG', 'PG-13', 'R'] as const)[i % 4],
        year: 1990 + (i % 35),
      },
    })),
  );
  const ids: string[] = [];
  const events = syntheticRatings({
    users: profiles,
    items: titles,
    clusters: 40,
    ratingsPerUser: [10, 30],
    seed: 5,
  })
    .filter((r) => r.rating >= 4)
    .map((r) => {
      const profileId = `p${r.user.padStart(5, '0')}`;
      return {
        type: 'playback.stopped',
        source: 'bench',
        data: {
          sessionId: `s-${r.user}-${r.item}`,
          accountId: `a${r.user}`,
          profileId,
          titleId: `t${String(Number(r.item) - 1).padStart(5, '0')}`,
          position: 100,
          duration: 100,
        },
      };
    });
  for (let i = 1; i <= profiles; i++) {
    const profileId = `p${String(i).padStart(5, '0')}`;
    ids.push(profileId);
    users.profiles.set(profileId, { name: `Viewer ${i}`, kids: false, maxMaturity: 'R' });
  }
  const ingestStarted = performance.now();
  for (let i = 0; i < events.length; i += 1000) await ctx.bus.publish(events.slice(i, i + 1000));
  while ((await ctx.bus.lag('recommender')) > 0) await new Promise((r) => setTimeout(r, 100));
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  const trainStarted = performance.now();
  const snapshot = await module.retrainNow();
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const url = await module.app.listen({ port: 0, host });
  console.log(
    JSON.stringify({
      url,
      token: serviceToken(ctx.secret),
      profiles: ids,
      titles,
      events: events.length,
      ingestSeconds,
      trainSeconds,
      model: snapshot.personalModel,
    }),
  );
  let training = false;
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'train' && !training) {
      training = true;
      void (async () => {
        while (training) await module.retrainNow();
      })();
    } else if (line === 'stop') training = false;
  }
}

const [role, size] = process.argv.slice(2);
const roles: Record<string, () => Promise<void>> = {
  ease: () => ease(Number(size)),
  fallback: () => fallback(Number(size)),
  hello,
  recommender,
};
const run = roles[role ?? ''];
if (!run) throw new Error(`unknown role ${role}`);
await run();
