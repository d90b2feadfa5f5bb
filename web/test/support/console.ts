import type { BrowserContext, Page } from 'playwright-core';

/**
 * Collects what a page reports as broken: console errors and uncaught exceptions. A test expects an
 * error it provokes (a refused stream, a killed edge) with `allow`, so everything else still fails it.
 */
export class ConsoleWatch {
  readonly errors: string[] = [];
  private readonly allowed: RegExp[] = [];

  constructor(page: Page) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location().url;
      this.record(`console.error: ${msg.text()}${where ? ` (${where})` : ''}`);
    });
    page.on('pageerror', (err) => this.record(`uncaught: ${err.message}`));
  }

  allow(pattern: RegExp): this {
    this.allowed.push(pattern);
    return this;
  }

  private record(line: string) {
    if (!this.allowed.some((p) => p.test(line))) this.errors.push(line);
  }
}

/**
 * The contexts and pages a suite opens in one test, each page watched: `closeAll` (after each test)
 * closes them and answers what the browser reported as broken meanwhile.
 */
export class WatchedPages {
  private contexts: BrowserContext[] = [];
  private watches: ConsoleWatch[] = [];

  /** The test's first context, to open a second tab beside the first. */
  get first(): BrowserContext | undefined {
    return this.contexts[0];
  }

  async open(context: BrowserContext): Promise<{ page: Page; watch: ConsoleWatch }> {
    if (!this.contexts.includes(context)) this.contexts.push(context);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    this.watches.push(watch);
    return { page, watch };
  }

  async closeAll(): Promise<string[]> {
    const [contexts, watches] = [this.contexts, this.watches];
    this.contexts = [];
    this.watches = [];
    await Promise.all(contexts.map((c) => c.close()));
    return watches.flatMap((w) => w.errors);
  }
}
