import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, SERVICE_TOKEN_HEADER, ServiceClient } from '@marquee/core';
import { DEFAULT_TUNING } from '../src/config.js';
import { PosterDirectory } from '../src/http/poster-directory.js';
import { UpstreamService } from '../src/http/upstreams.js';
import { SERVICE_TOKEN, startUpstream, type TestUpstream } from './harness.js';

/** Streaming's batched catalog call as the gateway uses it, on a real loopback server. */
let streaming: TestUpstream;
let client: ServiceClient;
let upstream: UpstreamService;
const calls: string[][] = [];
const state = { status: 200 };
/** Titles streaming knows: `n-*` have no poster, `gone-*` are not published (left out of its answer). */
const posterOf = (id: string) => (id.startsWith('n-') ? null : `https://edge-1/t/tok/a/${id}/poster.jpg`);

beforeAll(async () => {
  streaming = await startUpstream('streaming', (app) => {
    app.get('/internal/titles', async (req, reply) => {
      if (req.headers[SERVICE_TOKEN_HEADER] !== SERVICE_TOKEN) return reply.status(401).send({});
      const ids = (req.query as { ids: string }).ids.split(',');
      calls.push(ids);
      if (state.status !== 200) return reply.status(state.status).send({});
      return {
        items: ids
          .filter((id) => !id.startsWith('gone-'))
          .map((id) => ({ titleId: id, name: id, posterUrl: posterOf(id) })),
      };
    });
  });
  client = new ServiceClient({
    service: 'streaming',
    baseUrls: [streaming.url],
    headers: { [SERVICE_TOKEN_HEADER]: SERVICE_TOKEN },
    retries: 0,
  });
  upstream = new UpstreamService('streaming', client, DEFAULT_TUNING);
});
afterAll(async () => {
  await client.close();
  await streaming.close();
});
beforeEach(() => {
  calls.length = 0;
  state.status = 200;
});

function directory(clock = { at: 0 }) {
  return new PosterDirectory({
    streaming: upstream,
    logger: createLogger({ level: 'silent' }),
    ttlMs: 30_000,
    timeoutMs: 1_000,
    now: () => clock.at,
  });
}

describe('PosterDirectory', () => {
  it('asks streaming once for the titles it does not hold, and reuses the answer until it expires', async () => {
    const clock = { at: 0 };
    const posters = directory(clock);
    expect(await posters.postersOf(['a', 'n-b', 'gone-c'])).toEqual(
      new Map([
        ['a', posterOf('a')],
        ['n-b', null],
      ]),
    );
    expect(calls).toEqual([['a', 'n-b', 'gone-c']]);

    clock.at = 29_999;
    await posters.postersOf(['a', 'n-b', 'gone-c', 'd']);
    expect(calls).toEqual([['a', 'n-b', 'gone-c'], ['d']]); // only the new title

    clock.at = 30_000;
    await posters.postersOf(['a', 'd']);
    expect(calls.at(-1)).toEqual(['a']); // a expired, d (asked at 29,999) not yet
  });

  it('shares one call between pages asking at the same moment, in batches of 100 ids', async () => {
    const posters = directory();
    const ids = Array.from({ length: 150 }, (_, i) => `t${i}`);
    const [one, two] = await Promise.all([posters.postersOf(ids), posters.postersOf(ids.slice(0, 10))]);
    expect(calls.map((c) => c.length)).toEqual([100, 50]);
    expect(one.size).toBe(150);
    expect(two.get('t3')).toBe(posterOf('t3'));
  });

  it('answers nothing when streaming fails, and asks again a few seconds later, not on every page', async () => {
    const clock = { at: 0 };
    const posters = directory(clock);
    state.status = 503;
    expect(await posters.postersOf(['a'])).toEqual(new Map());
    await posters.postersOf(['a']);
    expect(calls).toHaveLength(1);

    state.status = 200;
    clock.at = 5_000;
    expect(await posters.postersOf(['a'])).toEqual(new Map([['a', posterOf('a')]]));
    expect(calls).toHaveLength(2);
  });

  it('answers nothing without a streaming upstream', async () => {
    const posters = new PosterDirectory({
      streaming: undefined,
      logger: createLogger({ level: 'silent' }),
      ttlMs: 30_000,
      timeoutMs: 1_000,
    });
    expect(await posters.postersOf(['a'])).toEqual(new Map());
  });
});
