import { cpuSeconds } from './tls.js';
import { runWrk, type WrkResult } from './wrk.js';

/** A server under wrk: where to send requests, and the processes whose CPU it spends. */
export interface WrkServer {
  base: string;
  paths: readonly string[];
  pids: () => Promise<number[]>;
}

/**
 * `rounds` of one wrk run per server in turn, so drifting load from other work on the machine hits
 * them alike; each run with the CPU seconds per GiB served that its server's processes used meanwhile.
 */
export async function alternate(
  servers: readonly WrkServer[],
  wrk: { dir: string; threads: number; connections: number; seconds: number },
  rounds: number,
): Promise<{ runs: WrkResult[]; cpuPerGiB: number[] }[]> {
  const out = servers.map(() => ({ runs: [] as WrkResult[], cpuPerGiB: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, server] of servers.entries()) {
      const pids = await server.pids();
      const before = await cpuSeconds(pids);
      const result = await runWrk({ ...wrk, base: server.base, paths: server.paths });
      const used = (await cpuSeconds(pids)) - before;
      out[i]!.runs.push(result);
      out[i]!.cpuPerGiB.push(used / ((result.bytesPerSecond * wrk.seconds) / 1024 ** 3));
    }
  }
  return out;
}

/** The runs' means; errors are summed. */
export function mean(runs: readonly WrkResult[]): WrkResult {
  const avg = (f: (r: WrkResult) => number) => runs.reduce((sum, r) => sum + f(r), 0) / runs.length;
  return {
    requestsPerSecond: avg((r) => r.requestsPerSecond),
    bytesPerSecond: avg((r) => r.bytesPerSecond),
    p50Ms: avg((r) => r.p50Ms),
    p99Ms: avg((r) => r.p99Ms),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}
