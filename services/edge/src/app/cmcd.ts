import { fromCmcdQuery } from '@svta/cml-cmcd';

/**
 * What the edge keeps of a request's CMCD (CTA-5004) data: the player's view of its delivery, as
 * the edge serving it sees it. The session id and content id are not kept: a label per viewer or
 * title would grow the edge's metrics without bound, and the player's own telemetry already carries
 * every session's stalls and bitrates into the lake (docs/analytics.md).
 */
export interface CmcdSample {
  /** `bs`: the player's buffer ran dry since its previous request (it rebuffered). */
  bufferStarved: boolean;
  /** `bl`, milliseconds of media ahead of the playhead when the request left (media objects only). */
  bufferLengthMs?: number;
  /** `mtp`, the throughput the player measured, kbit/s. */
  throughputKbps?: number;
}

/** A CMCD number may come as a plain number (v1) or a one-item inner list (v2). */
function firstNumber(value: unknown): number | undefined {
  const n = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The CMCD of a request URL (`?CMCD=bl%3D21300%2Cbs%2Cmtp%3D25400…`, how hls.js sends it without a
 * CORS preflight), or undefined when there is none or it does not parse. Called on every media
 * request, so a URL without `CMCD=` costs one substring search.
 */
export function cmcdSample(url: string): CmcdSample | undefined {
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('CMCD=', q)) return undefined;
  let data: Record<string, unknown>;
  try {
    data = fromCmcdQuery(url.slice(q + 1)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const sample: CmcdSample = { bufferStarved: data.bs === true };
  const bl = firstNumber(data.bl);
  const mtp = firstNumber(data.mtp);
  if (bl !== undefined) sample.bufferLengthMs = bl;
  if (mtp !== undefined) sample.throughputKbps = mtp;
  return sample;
}
