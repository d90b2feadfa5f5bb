import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedCounter } from './metrics.js';

describe('TalliedCounter', () => {
  it('hands what its tallies added to the counter whenever it is collected, and only once', async () => {
    const registry = new Registry();
    const served = new TalliedCounter({
      name: 'served_total',
      help: 'test',
      labelNames: ['from'] as const,
      registers: [registry],
    });
    const ram = served.slot({ from: 'ram' });
    const disk = served.slot({ from: 'disk' });
    const ramAgain = served.slot({ from: 'ram' });
    ram.add();
    ram.add(2);
    ramAgain.add(4);
    const text = await registry.metrics();
    expect(text).toContain('served_total{from="ram"} 7');
    // A label set nothing was added to is not a series yet, as with a plain counter.
    expect(text).not.toContain('from="disk"');

    disk.add(5);
    ram.add();
    const values = (await served.counter.get()).values;
    expect(values.find((v) => v.labels.from === 'ram')?.value).toBe(8);
    expect(values.find((v) => v.labels.from === 'disk')?.value).toBe(5);
    // Collecting again adds nothing twice.
    expect(await registry.metrics()).toContain('served_total{from="ram"} 8');
  });

  it('counts without labels', async () => {
    const registry = new Registry();
    const bytes = new TalliedCounter({ name: 'bytes_total', help: 'test', registers: [registry] });
    bytes.slot().add(1024);
    expect(await registry.metrics()).toContain('bytes_total 1024');
  });
});
