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

/** A CMCD number: `1200`, or the first item of a v2 inner list `(1200 800)`; nonsense is dropped. */
function number(text: string): number | undefined {
  const inner = text.startsWith('(') ? text.slice(1).split(/[ )]/, 1)[0]! : text;
  const n = inner === '' ? NaN : Number(inner);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The CMCD of a request URL (`?CMCD=bl%3D21300%2Cbs%2Cmtp%3D25400…`, how hls.js sends it without a
 * CORS preflight), or undefined when there is none or it does not decode.
 *
 * Hand-written, not `@svta/cml-cmcd`'s `fromCmcdQuery` (the library hls.js encodes with): that decodes
 * every key of the structured field and took ~170 µs per hls.js query, side by side with ~6 µs for
 * this one reading three keys (this machine, busy; a plain URL costs this one an index lookup) — the
 * library alone would cost more than the edge spends on a whole 1 MiB segment (bench/edge).
 * `cmcd.test.ts` checks both agree on those keys for queries the library writes.
 */
export function cmcdSample(url: string): CmcdSample | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  let at = url.indexOf('CMCD=', q);
  while (at >= 0 && url[at - 1] !== '?' && url[at - 1] !== '&') at = url.indexOf('CMCD=', at + 1);
  if (at < 0) return undefined;
  const end = url.indexOf('&', at);
  let value: string;
  try {
    value = decodeURIComponent(url.slice(at + 5, end < 0 ? undefined : end).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  const sample: CmcdSample = { bufferStarved: false };
  for (let i = 0; i < value.length;) {
    // One `key[=value]` item: up to the next comma outside a quoted string.
    let j = i;
    for (let quoted = false; j < value.length; j++) {
      const c = value[j];
      if (c === '"') quoted = !quoted;
      else if (c === '\\' && quoted) j++;
      else if (c === ',' && !quoted) break;
    }
    const item = value.slice(i, j).trim();
    i = j + 1;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const text = eq < 0 ? '' : item.slice(eq + 1);
    if (key === 'bs') sample.bufferStarved = eq < 0 || text === '?1';
    else if (key === 'bl') {
      const bl = number(text);
      if (bl !== undefined) sample.bufferLengthMs = bl;
    } else if (key === 'mtp') {
      const mtp = number(text);
      if (mtp !== undefined) sample.throughputKbps = mtp;
    }
  }
  return sample;
}
