import { ConfigError } from '@marquee/core';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

export type Plan = 'basic' | 'standard' | 'premium';

export interface LoadOptions {
  /** The gateway (API mode), or the host serving `staticMasters` (reference mode). */
  base: string;
  viewers: number;
  durationMs: number;
  rampMs: number;
  seed: number;
  json: boolean;
  /** One progress line per second on stderr. */
  progress: boolean;
  plan: Plan;
  /** Viewers sharing one account (a household: one profile each, at most the plan's streams). */
  viewersPerAccount: number;
  /** Given credentials (`email:password` lines) instead of sign-ups. */
  accountsFile?: string;
  /** Median of the drawn watch time of a session (log-normal, σ 1). */
  watchMedianMs: number;
  zipfExponent: number;
  /** Media segments the player keeps buffered ahead of the playhead. */
  bufferSegments: number;
  /** Reference mode: play these master playlists directly, with no API at all. */
  staticMasters: string[];
  /** Each viewer connects from its own 127.x.y.z address, as real viewers come from their own. */
  spreadAddresses: boolean;
  allowRemote: boolean;
  /** Platform processes whose CPU is reported; default: whoever listens on the ports loaded. */
  pids: number[];
}

export const LOAD_USAGE = `  marquee load [--base URL] --viewers N --duration 60s [--ramp 10s] [--json] [--seed S]
               [--plan basic|standard|premium] [--viewers-per-account 1-4] [--accounts FILE]
               [--watch 20m] [--zipf 1] [--buffer 3] [--static URL,URL] [--pids P,P]
               [--one-address] [--allow-remote]
                                  simulated viewers through the public API: stream starts per second,
                                  start latency, rebuffer ratio, errors, CPU per platform process`;

const MAX_VIEWERS = 100_000;
const MAX_DURATION_MS = 24 * 3_600_000;

/** "30s", "2m", "1h", "1500ms" or a bare number of seconds. */
export function parseDuration(raw: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) throw new ConfigError([`${name}: expected a duration like 30s, 2m or 1h (got "${raw}")`]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts a load may target without --allow-remote. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}

/** Throws unless `url` is http(s) on loopback (or remote loads were allowed explicitly). */
export function assertTarget(url: string, allowRemote: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([`not a URL: "${url}"`]);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError([`${url}: only http and https can be loaded`]);
  }
  if (!allowRemote && !isLoopbackHost(parsed.hostname)) {
    throw new ConfigError([
      `${parsed.host} is not a loopback address: a load against another machine needs --allow-remote`,
    ]);
  }
  return parsed;
}

function integer(raw: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError([`${name}: expected a whole number from ${min} to ${max} (got "${raw}")`]);
  }
  return n;
}

export function parseLoadOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      base: { type: 'string' },
      viewers: { type: 'string' },
      duration: { type: 'string' },
      ramp: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      plan: { type: 'string' },
      'viewers-per-account': { type: 'string' },
      accounts: { type: 'string' },
      watch: { type: 'string' },
      zipf: { type: 'string' },
      buffer: { type: 'string' },
      static: { type: 'string' },
      pids: { type: 'string' },
      'one-address': { type: 'boolean', default: false },
      'allow-remote': { type: 'boolean', default: false },
    },
  });
  const base = (values.base ?? `http://127.0.0.1:${env.MARQUEE_PORT ?? 8080}`).replace(/\/+$/, '');
  const allowRemote = values['allow-remote'] ?? false;
  assertTarget(base, allowRemote);
  const staticMasters = (values.static ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => new URL(s, `${base}/`).href);
  for (const url of staticMasters) assertTarget(url, allowRemote);
  const durationMs = parseDuration(values.duration ?? '60s', '--duration');
  if (durationMs < 1000 || durationMs > MAX_DURATION_MS)
    throw new ConfigError(['--duration: from 1s to 24h']);
  const rampMs = values.ramp ? parseDuration(values.ramp, '--ramp') : Math.min(10_000, durationMs / 4);
  if (rampMs > durationMs) throw new ConfigError(['--ramp: must not be longer than --duration']);
  const plan = (values.plan ?? 'standard') as Plan;
  if (!['basic', 'standard', 'premium'].includes(plan))
    throw new ConfigError([`--plan: basic, standard or premium (got "${plan}")`]);
  const zipfExponent = values.zipf === undefined ? 1 : Number(values.zipf);
  if (!(zipfExponent >= 0 && zipfExponent <= 3)) throw new ConfigError(['--zipf: from 0 to 3']);
  const pids = (values.pids ?? '')
    .split(',')
    .filter(Boolean)
    .map((p) => integer(p, '--pids', 1, 2 ** 22, 0));
  return {
    base,
    viewers: integer(values.viewers, '--viewers', 1, MAX_VIEWERS, 10),
    durationMs,
    rampMs,
    seed: integer(values.seed, '--seed', 0, 2 ** 31 - 1, 1),
    json: values.json ?? false,
    progress: !(values.quiet ?? false),
    plan,
    viewersPerAccount: integer(values['viewers-per-account'], '--viewers-per-account', 1, 4, 1),
    ...(values.accounts ? { accountsFile: values.accounts } : {}),
    watchMedianMs: parseDuration(values.watch ?? '20m', '--watch'),
    zipfExponent,
    bufferSegments: integer(values.buffer, '--buffer', 1, 30, 3),
    staticMasters,
    spreadAddresses: !(values['one-address'] ?? false),
    allowRemote,
    pids,
  };
}
