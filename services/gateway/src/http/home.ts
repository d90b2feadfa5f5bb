import type { FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamError, type Logger } from '@marquee/core';
import type { Cache } from '@marquee/platform';
import type { AccessClaims } from '@marquee/contracts';
import { upstreamRequestHeaders } from '../app/forwarding.js';
import type { ProfileRecord } from '../app/profile-ownership.js';
import { rowTitleIds, withPosters } from '../app/row-posters.js';
import type { PosterDirectory } from './poster-directory.js';
import type { Upstreams } from './upstreams.js';

export interface HomeRowsOptions {
  upstreams: Upstreams;
  cache: Cache;
  logger: Logger;
  serviceToken: string;
  /** The recommender's budget before the fallback is served. */
  timeoutMs: number;
  /** How long fallback rows are reused (they are the same for everyone at one maturity). */
  fallbackTtlMs?: number;
  /** Poster URLs for the recommender's row items (the fallback rows come from streaming with theirs). */
  posters: PosterDirectory;
}

interface Rows {
  rows: unknown[];
}

/**
 * The home page never fails because of recommendations: the recommender gets a short budget; when it
 * is slow, down, shedding or its breaker is open, the rows come from streaming's popular/genre rows
 * (cached), and when even those are unavailable the answer is an empty page — always 200, flagged
 * `degraded: true` so the web app can say "personalisation is taking a break". The recommender's row
 * items get their posters from streaming's catalog here (see PosterDirectory for why).
 */
export class HomeRows {
  constructor(private readonly options: HomeRowsOptions) {}

  async serve(
    req: FastifyRequest,
    reply: FastifyReply,
    caller: AccessClaims,
    profile: ProfileRecord,
  ): Promise<FastifyReply> {
    const recommender = this.options.upstreams.recommender;
    let reason = 'recommender is not configured';
    if (recommender) {
      const headers = upstreamRequestHeaders(req.headers, {
        requestId: req.id,
        serviceToken: this.options.serviceToken,
        identity: caller,
        clientAddress: req.ip,
        protocol: req.protocol,
        host: req.host,
      });
      try {
        const res = await recommender.request('GET', req.url, {
          headers: flatten(headers),
          timeoutMs: this.options.timeoutMs,
          idempotent: false, // no retries: the budget is for one try, then the fallback
        });
        if (res.status < 500) {
          const type = res.headers['content-type'];
          if (typeof type === 'string') void reply.type(type);
          const body =
            res.status === 200
              ? withPosters(res.body, await this.options.posters.postersOf(rowTitleIds(res.body)))
              : res.body;
          return reply.status(res.status).send(body);
        }
        reason = `recommender answered ${res.status}`;
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
    }
    req.log.warn({ profileId: profile.profileId, reason }, 'home rows from the fallback');
    return reply.send({ rows: await this.fallbackRows(profile.maxMaturity), degraded: true });
  }

  private async fallbackRows(maxMaturity: string): Promise<unknown[]> {
    const streaming = this.options.upstreams.streaming;
    if (!streaming) return [];
    try {
      const rows = await this.options.cache.getOrLoad<Rows>(
        `gw:home-fallback:${maxMaturity}`,
        this.options.fallbackTtlMs ?? 30_000,
        async () => {
          const res = await streaming.request<Rows>('GET', '/internal/home-fallback', {
            query: { maxMaturity },
          });
          if (res.status !== 200 || !Array.isArray(res.body?.rows)) {
            throw new UpstreamError(
              'upstream.unavailable',
              'streaming',
              `home fallback answered ${res.status}`,
            );
          }
          return { rows: res.body.rows };
        },
      );
      return rows.rows;
    } catch (err) {
      this.options.logger.warn({ err }, 'home fallback rows unavailable: serving an empty page');
      return [];
    }
  }
}

function flatten(headers: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
  );
}
