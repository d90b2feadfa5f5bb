import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifySchema } from 'fastify';

/**
 * The latest `marquee chaos` run, for the admin console: the summary and chart the run writes to its
 * --out directory (latest.json, latest.svg; by default data/chaos, i.e. the default MARQUEE_DATA_DIR's
 * chaos/). The gateway only reads them; no run is started from here.
 */
export class ChaosReports {
  constructor(private readonly dir: string) {}

  /** The summary (verdict rows, windows, audit) and the chart's SVG text; nulls when no run wrote one. */
  async latest(): Promise<{ report: Record<string, unknown> | null; chartSvg: string | null }> {
    const [json, svg] = await Promise.all([
      readFile(join(this.dir, 'latest.json'), 'utf8').catch(() => null),
      readFile(join(this.dir, 'latest.svg'), 'utf8').catch(() => null),
    ]);
    let report: Record<string, unknown> | null = null;
    try {
      report = json === null ? null : (JSON.parse(json) as Record<string, unknown>);
    } catch {
      report = null; // a run still writing it, or a damaged file: as if none
    }
    return { report, chartSvg: report ? svg : null };
  }
}

/** GET /api/admin/chaos in the OpenAPI document (the route itself goes through the API's routing table). */
export const chaosReportSchema = Object.assign(
  {
    summary: 'The latest chaos experiment: verdict, windows, audit and chart (admin)',
    description:
      'What the last `marquee chaos` run on this installation wrote (MARQUEE_DATA_DIR/chaos/latest.json and latest.svg). `report` and `chartSvg` are null when there is none.',
  },
  {
    response: {
      200: {
        type: 'object',
        required: ['report', 'chartSvg'],
        properties: {
          report: {
            type: ['object', 'null'],
            additionalProperties: true,
            properties: {
              experiment: { type: 'string' },
              finishedAt: { type: 'string', format: 'date-time' },
              passed: { type: 'boolean' },
              aborted: { type: 'string' },
              table: { type: 'string' },
            },
          },
          chartSvg: { type: ['string', 'null'] },
        },
      },
    },
  } as FastifySchema,
);
