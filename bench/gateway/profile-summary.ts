import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Native functions that are the kernel's share of sending: the socket writes themselves. */
const SOCKET_WRITES = new Set(['writev', 'writeLatin1String', 'writeUtf8String', 'writeBuffer']);

/**
 * Where a process spent its CPU, by who owns the code: each sample is charged to the nearest frame
 * with a source (a package under node_modules, a file of ours, a Node module), the socket writes and
 * the garbage collector on their own lines. `skipMs` leaves start-up out. Returns µs per request.
 */
export function summariseProfile(
  path: string,
  requests: number,
  skipMs: number,
): { category: string; usPerRequest: number }[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryOf = (id: number): string | undefined => {
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === '(idle)') return undefined;
    if (leaf === '(garbage collector)') return 'garbage collector';
    if (leaf === '(program)') return 'V8 and native (program)';
    if (SOCKET_WRITES.has(leaf)) return 'socket writes (kernel)';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      if (!url) continue;
      if (url.includes('node_modules/')) return `npm ${url.split('node_modules/').pop()!.split('/')[0]}`;
      if (url.startsWith('node:')) return `node ${url.slice(5).split('/').slice(0, 2).join('/')}`;
      return url.replace(/^.*?\/(packages|services|bench)\//, '$1/');
    }
    return `native ${leaf}`;
  };
  const totals = new Map<string, number>();
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed < skipMs * 1000) continue;
    const category = categoryOf(profile.samples[i]!);
    if (category) totals.set(category, (totals.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...totals]
    .map(([category, us]) => ({ category, usPerRequest: us / Math.max(1, requests) }))
    .sort((a, b) => b.usPerRequest - a.usPerRequest);
}
