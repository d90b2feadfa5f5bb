import type { Page } from 'playwright-core';

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
