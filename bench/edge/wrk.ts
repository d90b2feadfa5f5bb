import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  requestsPerSecond: number;
  /** Bytes per second of response bodies and headers, as wrk counts them. */
  bytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const TIME: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses wrk 4's report (with --latency). */
export function parseWrk(output: string): WrkResult {
  const number = (re: RegExp) => {
    const m = re.exec(output);
    if (!m) throw new Error(`wrk output lacks ${re}:\n${output}`);
    return m;
  };
  const rps = Number(number(/Requests\/sec:\s+([\d.]+)/)[1]);
  const transfer = number(/Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/);
  const latency = (pct: string) => {
    const m = number(new RegExp(`\\s${pct}%\\s+([\\d.]+)(us|ms|s|m)`));
    return Number(m[1]) * TIME[m[2]!]!;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors =
    (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    requestsPerSecond: rps,
    bytesPerSecond: Number(transfer[1]) * UNITS[transfer[2]!]!,
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    errors,
  };
}

/** Runs wrk against `base`, cycling through `paths` (one Lua state per wrk thread). */
export async function runWrk(options: {
  base: string;
  paths: readonly string[];
  dir: string;
  threads: number;
  connections: number;
  seconds: number;
}): Promise<WrkResult> {
  const script = join(options.dir, `paths-${Date.now()}.lua`);
  await writeFile(
    script,
    `local paths = {${options.paths.map((p) => JSON.stringify(p)).join(',')}}
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
`,
  );
  const { stdout } = await run(
    'wrk',
    [
      `-t${options.threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--latency',
      '-s',
      script,
      options.base,
    ],
    { timeout: (options.seconds + 30) * 1000 },
  );
  return parseWrk(stdout);
}
