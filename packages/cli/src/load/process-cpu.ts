import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isLoopbackHost } from './options.js';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, or undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ") ".
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A short name for a process: its command line, the way `ps` shows it, cut to 80 characters. */
export function describeProcess(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const script = cmdline.findIndex((a) => /marquee\.mjs$|run-ts\.mjs$/.test(a));
    const shown = script >= 0 ? cmdline.slice(script).map((a) => a.replace(/^.*\//, '')) : cmdline;
    return shown.join(' ').slice(0, 80);
  } catch {
    return `pid ${pid}`;
  }
}

/** Socket inodes listening on `port` (IPv4 and IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      if (f[3] === '0A' && f[1]?.endsWith(`:${hexPort}`) && f[9]) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The processes listening on `port` on this machine (empty when it is not local or not visible). */
export function pidsListeningOn(port: number): number[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match && inodes.has(match[1]!)) {
        found.push(Number(entry));
        break;
      }
    }
  }
  return found;
}

export interface ProcessCpu {
  pid: number;
  name: string;
  ports: number[];
  cpuSeconds: number;
}

/**
 * CPU used by the platform's processes during the run: each process is found once (by the ports it
 * listens on, or given by pid) and its CPU time is read then and at the end.
 */
export class PlatformCpu {
  private readonly watched = new Map<number, { name: string; ports: Set<number>; from: number }>();
  private readonly portsSeen = new Set<number>();

  constructor(pids: readonly number[]) {
    for (const pid of pids) this.track(pid);
  }

  private track(pid: number, port?: number): void {
    const known = this.watched.get(pid);
    if (known) {
      if (port !== undefined) known.ports.add(port);
      return;
    }
    const from = cpuSecondsOf(pid);
    if (from === undefined) return;
    this.watched.set(pid, {
      name: describeProcess(pid),
      ports: new Set(port === undefined ? [] : [port]),
      from,
    });
  }

  /** Called for every origin the load touches; only loopback ports are looked up (once each). */
  notice(url: URL): void {
    if (!isLoopbackHost(url.hostname)) return;
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (this.portsSeen.has(port)) return;
    this.portsSeen.add(port);
    for (const pid of pidsListeningOn(port)) this.track(pid, port);
  }

  report(): ProcessCpu[] {
    return [...this.watched].map(([pid, w]) => ({
      pid,
      name: w.name,
      ports: [...w.ports].sort((a, b) => a - b),
      cpuSeconds: Math.max(0, (cpuSecondsOf(pid) ?? w.from) - w.from),
    }));
  }
}
