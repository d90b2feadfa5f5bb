import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

/**
 * Keeps the process groups the rig starts detached (replicas, private engines) from outliving it. Its
 * signal handlers and exit hook stop them on Ctrl-C, SIGTERM or an exception, but a SIGKILLed rig runs
 * nothing: the detached groups went on, a private PostgreSQL, Redis and NATS each, for good.
 *
 * So a watchdog — a bash loop in a group of its own, so that whatever kills the rig's group spares it —
 * polls the rig's pid every second, and once the rig is gone SIGKILLs every group listed in a plan file
 * the rig keeps current, removes the directories listed there, then the file, and exits. The rig ends it
 * when it stops normally. (bash, not sh: dash's kill cannot signal a process group.)
 *
 * @example
 *   const watch = OrphanWatch.start('/tmp/marquee-engines-x/orphans');
 *   watch.track(child.pid); watch.removeOnOrphan('/tmp/marquee-engines-x');
 *   await watch.stop();
 */
export class OrphanWatch {
  private readonly groups = new Set<number>();
  private readonly dirs = new Set<string>();
  private stopped = false;

  private constructor(
    private readonly planFile: string,
    private readonly watchdog: ChildProcess,
  ) {}

  /** Starts the watchdog for this process; `planFile` is where the groups and directories are listed. */
  static start(planFile: string, rigPid = process.pid): OrphanWatch {
    writeFileSync(planFile, '');
    const script = `
      rig=$1; plan=$2
      while kill -0 "$rig" 2>/dev/null; do sleep 1; done
      [ -f "$plan" ] || exit 0
      while read -r what arg; do
        case "$what" in
          kill) kill -KILL "-$arg" 2>/dev/null ;;
          rm) rm -rf -- "$arg" ;;
        esac
      done < "$plan"
      rm -f -- "$plan"`;
    const watchdog = spawn('bash', ['-c', script, 'marquee-orphan-watch', String(rigPid), planFile], {
      detached: true,
      stdio: 'ignore',
    });
    watchdog.unref();
    return new OrphanWatch(planFile, watchdog);
  }

  /** The watchdog's pid (tests). */
  get pid(): number | undefined {
    return this.watchdog.pid;
  }

  /** A process group (its leader's pid) to SIGKILL if the rig dies. */
  track(pgid: number | undefined): void {
    if (pgid === undefined) return;
    this.groups.add(pgid);
    this.write();
  }

  untrack(pgid: number | undefined): void {
    if (pgid === undefined || !this.groups.delete(pgid)) return;
    this.write();
  }

  /** A directory (engine data, replica data) to remove once those groups are killed. */
  removeOnOrphan(dir: string): void {
    this.dirs.add(dir);
    this.write();
  }

  /** The rig stopped what it started: the watchdog and its plan go. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.watchdog.kill('SIGKILL');
    rmSync(this.planFile, { force: true });
  }

  private write(): void {
    if (this.stopped) return;
    // Synchronous and small: it must be current the moment the rig is killed.
    const lines = [...[...this.groups].map((g) => `kill ${g}`), ...[...this.dirs].map((d) => `rm ${d}`)];
    writeFileSync(this.planFile, lines.length ? `${lines.join('\n')}\n` : '');
  }
}
