import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { ReplicaPlan } from './layout.js';
import { OrphanWatch } from './orphan-watch.js';

/**
 * Runs each replica as its own OS process (`marquee start --target=<service>`, in its own process group
 * so a kill reaches tsx's helpers too) and restarts one that dies after a short delay, as a Kubernetes
 * kubelet would. A replica stopped on purpose (stop, or a rolling restart's SIGTERM) is not restarted
 * behind the caller's back.
 */

export const MARQUEE_BIN = resolve(import.meta.dirname, '../../bin/marquee.mjs');

export interface ReplicaEvents {
  /** A replica's process exited; `restarting` says whether the supervisor will start it again. */
  exited?(id: string, code: number | null, signal: NodeJS.Signals | null, restarting: boolean): void;
  started?(id: string, pid: number): void;
}

export interface Replica extends ReplicaPlan {
  dataDir: string;
  pid(): number | undefined;
  /** Its process is running (started, not exited, not waiting to be restarted). */
  running(): boolean;
  /** How many times this replica's process has been started. */
  starts(): number;
  /** The last lines it wrote (stdout and stderr), for failure messages. */
  recentOutput(): string;
}

interface Running {
  plan: ReplicaPlan;
  dataDir: string;
  env: Record<string, string>;
  child: ChildProcess | undefined;
  exited: Promise<void>;
  starts: number;
  wanted: boolean;
  tail: string[];
  log: WriteStream | undefined;
  restartTimer: NodeJS.Timeout | undefined;
}

const TAIL_LINES = 200;

export class Supervisor {
  private readonly replicas = new Map<string, Running>();
  private closed = false;
  /** Kills the replicas' groups if the rig itself is SIGKILLed (no exit hook runs then). */
  private readonly orphans: OrphanWatch | undefined;

  /** Whatever happens to the rig's own process (an exception, process.exit), no replica outlives it. */
  private readonly onExit = () => {
    for (const r of this.replicas.values()) if (r.child?.pid) this.killGroup(r.child.pid);
  };

  constructor(
    private readonly options: {
      restartDelayMs: number;
      logDir?: string;
      events?: ReplicaEvents;
      /** The script each replica runs (`node <entry> start --target=…`): MARQUEE_BIN or a bundle. */
      entry?: string;
      /** Where an OrphanWatch keeps its plan, and directories it removes if the rig is SIGKILLed. */
      orphans?: { planFile: string; removeDirs?: readonly string[] };
    },
  ) {
    process.on('exit', this.onExit);
    if (options.orphans) {
      this.orphans = OrphanWatch.start(options.orphans.planFile);
      for (const dir of options.orphans.removeDirs ?? []) this.orphans.removeOnOrphan(dir);
    }
  }

  /** Starts a replica's process now and keeps it running. */
  add(plan: ReplicaPlan, dataDir: string, env: Record<string, string>): Replica {
    const running: Running = {
      plan,
      dataDir,
      env,
      child: undefined,
      exited: Promise.resolve(),
      starts: 0,
      wanted: true,
      tail: [],
      log: this.options.logDir
        ? createWriteStream(resolve(this.options.logDir, `${plan.id}.log`), { flags: 'a' })
        : undefined,
      restartTimer: undefined,
    };
    this.replicas.set(plan.id, running);
    this.spawn(running);
    return this.view(running);
  }

  list(): Replica[] {
    return [...this.replicas.values()].map((r) => this.view(r));
  }

  get(id: string): Replica {
    return this.view(this.running(id));
  }

  /** Sends `signal` to the replica's whole process group (SIGKILL, SIGSTOP, SIGCONT…). */
  signal(id: string, signal: NodeJS.Signals): boolean {
    const pid = this.running(id).child?.pid;
    if (!pid) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * SIGTERM and wait for a graceful exit (drain, consumers stopped), SIGKILL after `graceMs`. The
   * replica stays down until start(id).
   */
  async stop(id: string, graceMs = 30_000): Promise<void> {
    const r = this.running(id);
    r.wanted = false;
    clearTimeout(r.restartTimer);
    const pid = r.child?.pid;
    if (!pid) return;
    if (r.child?.exitCode === null && r.child.signalCode === null) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => this.killGroup(pid), graceMs);
      await r.exited;
      clearTimeout(timer);
    }
    // tsx's helper processes follow their parent; make sure nothing of the group lingers, and wait until
    // the kernel has taken it (a SIGKILL is delivered, not done, when kill() returns).
    this.killGroup(pid);
    await groupGone(pid, 5_000);
  }

  /** Starts a stopped replica again (same port, same data dir). */
  start(id: string): void {
    const r = this.running(id);
    r.wanted = true;
    if (!r.child || r.child.exitCode !== null || r.child.signalCode !== null) this.spawn(r);
  }

  /** Resolves when the replica's current process has exited. */
  exited(id: string): Promise<void> {
    return this.running(id).exited;
  }

  /** Stops every replica: SIGTERM to all at once, SIGKILL to any group still there after `graceMs`. */
  async close(graceMs = 15_000): Promise<void> {
    this.closed = true;
    await Promise.all([...this.replicas.keys()].map((id) => this.stop(id, graceMs)));
    for (const r of this.replicas.values()) r.log?.end();
    process.off('exit', this.onExit);
    this.orphans?.stop();
  }

  private running(id: string): Running {
    const r = this.replicas.get(id);
    if (!r) throw new Error(`no replica ${id}`);
    return r;
  }

  private killGroup(pid: number): void {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private spawn(r: Running): void {
    const entry = this.options.entry ?? MARQUEE_BIN;
    const child = spawn(process.execPath, [entry, 'start', `--target=${r.plan.service}`], {
      env: r.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    r.child = child;
    r.starts += 1;
    this.orphans?.track(child.pid);
    const keep = (data: Buffer) => {
      r.log?.write(data);
      r.tail.push(...data.toString().split('\n').filter(Boolean));
      if (r.tail.length > TAIL_LINES) r.tail.splice(0, r.tail.length - TAIL_LINES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    r.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        // Whatever the group left behind goes with it: a replica is one unit, as a pod is.
        if (child.pid) this.killGroup(child.pid);
        this.orphans?.untrack(child.pid);
        const restarting = r.wanted && !this.closed;
        this.options.events?.exited?.(r.plan.id, code, signal, restarting);
        if (restarting) {
          r.restartTimer = setTimeout(() => {
            if (r.wanted && !this.closed && r.child === child) this.spawn(r);
          }, this.options.restartDelayMs);
        }
        done();
      });
    });
    child.once('spawn', () => this.options.events?.started?.(r.plan.id, child.pid!));
  }

  private view(r: Running): Replica {
    return {
      ...r.plan,
      dataDir: r.dataDir,
      pid: () => r.child?.pid,
      running: () => r.child !== undefined && r.child.exitCode === null && r.child.signalCode === null,
      starts: () => r.starts,
      recentOutput: () => r.tail.join('\n'),
    };
  }
}

/** Resolves once no process of the group `pid` is left, or after `limitMs`. */
async function groupGone(pid: number, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    if (Date.now() >= until) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
