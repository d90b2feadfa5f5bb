import type { Logger } from 'pino';

type Closer = () => Promise<void> | void;

/**
 * Ordered shutdown: what was started last is stopped first, each step bounded by a timeout so a hung
 * resource cannot keep the process alive. A shutdown first runs every drain step at once (each HTTP
 * server leaves its callers' rotation while it still serves: drain.ts); then HTTP servers close
 * (finishing in-flight requests), then consumers, then the stores they used.
 */
export class Lifecycle {
  private readonly drains: { name: string; drain: Closer }[] = [];
  private readonly closers: { name: string; close: Closer }[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** A step of the drain phase: all of them run together, before the first close step. */
  onDrain(name: string, drain: Closer): void {
    this.drains.push({ name, drain });
  }

  onClose(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  /**
   * A graceful shutdown (SIGTERM): every drain step at once, then the close steps. The drain steps are
   * bounded by their own grace, not by `timeoutMs`.
   */
  shutdown(timeoutMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      // Together: in monolithic mode eight servers drain in one grace, not one after another.
      await Promise.all(this.drains.map(({ name, drain }) => this.step(name, drain)));
      await this.closeSteps(timeoutMs);
    })();
    return this.closing;
  }

  /** Closes without draining (a failed start, tests): the close steps only. */
  close(timeoutMs = 10_000): Promise<void> {
    this.closing ??= this.closeSteps(timeoutMs);
    return this.closing;
  }

  private async closeSteps(timeoutMs: number): Promise<void> {
    for (const { name, close } of [...this.closers].reverse()) await this.step(name, close, timeoutMs);
  }

  private async step(name: string, run: Closer, timeoutMs?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(run),
        new Promise((_, reject) => {
          if (timeoutMs === undefined) return;
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      this.logger.warn({ err, step: name }, 'shutdown step failed');
    } finally {
      clearTimeout(timer);
    }
  }
}
