import type { Logger } from 'pino';

type Closer = () => Promise<void> | void;

/**
 * Ordered shutdown: what was started last is stopped first, each step bounded by a timeout so a hung
 * resource cannot keep the process alive. HTTP servers close first (draining in-flight requests),
 * then consumers, then the stores they used.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  onClose(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  close(timeoutMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      for (const { name, close } of [...this.closers].reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(close),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
        } catch (err) {
          this.logger.warn({ err, step: name }, 'shutdown step failed');
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.closing;
  }
}
