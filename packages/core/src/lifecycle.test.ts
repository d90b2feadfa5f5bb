import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { Lifecycle } from './lifecycle.js';

const logger = createLogger({ level: 'silent' });

describe('Lifecycle', () => {
  it('shutdown: runs every drain step together, then the close steps last-registered first', async () => {
    const lifecycle = new Lifecycle(logger);
    const steps: string[] = [];
    let releaseDrains!: () => void;
    const drains = new Promise<void>((resolve) => (releaseDrains = resolve));
    lifecycle.onClose('store', () => void steps.push('close store'));
    lifecycle.onClose('http', () => void steps.push('close http'));
    for (const name of ['a', 'b']) {
      lifecycle.onDrain(name, async () => {
        steps.push(`drain ${name}`);
        await drains;
      });
    }
    const done = lifecycle.shutdown();
    await Promise.resolve();
    await Promise.resolve();
    // Both drains began before either ended, and nothing closed while they ran.
    expect(steps).toEqual(['drain a', 'drain b']);
    releaseDrains();
    await done;
    expect(steps).toEqual(['drain a', 'drain b', 'close http', 'close store']);
  });

  it('close: skips the drain (a failed start, tests)', async () => {
    const lifecycle = new Lifecycle(logger);
    const steps: string[] = [];
    lifecycle.onDrain('http', () => void steps.push('drain'));
    lifecycle.onClose('http', () => void steps.push('close'));
    await lifecycle.close();
    expect(steps).toEqual(['close']);
  });
});
