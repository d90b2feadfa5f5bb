import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { FrequencySketch, TinyLfuAdmission } from './admission.js';
import { DiskTier } from './disk-tier.js';

describe('FrequencySketch', () => {
  it('counts requests per key and halves every count after its sample size', () => {
    const sketch = new FrequencySketch(1_000, 100);
    for (let i = 0; i < 20; i++) sketch.record('hot');
    sketch.record('cold');
    expect(sketch.frequency('hot')).toBe(20);
    expect(sketch.frequency('cold')).toBe(1);
    expect(sketch.frequency('never')).toBe(0);
    for (let i = 0; i < 79; i++) sketch.record(`filler-${i}`); // the 100th recording halves
    expect(sketch.frequency('hot')).toBe(10);
    expect(sketch.frequency('cold')).toBe(0);
  });
});

describe('TinyLfuAdmission', () => {
  const segment = (asset: string, n: number) => `assets/${asset}/v720/seg_${n}.m4s`;

  it('keeps a one-off out in favour of objects asked for more, and lets a wanted object in', () => {
    const admission = new TinyLfuAdmission(1_000);
    for (let i = 0; i < 3; i++) admission.record('posters/popular.jpg');
    admission.record('posters/once.jpg');
    expect(admission.admit('posters/once.jpg', ['posters/popular.jpg'])).toBe(false);
    admission.record('posters/rising.jpg');
    for (let i = 0; i < 4; i++) admission.record('posters/rising.jpg');
    expect(admission.admit('posters/rising.jpg', ['posters/popular.jpg'])).toBe(true);
    // Every victim must be less wanted, not just one of them.
    expect(admission.admit('posters/rising.jpg', ['posters/once.jpg', 'posters/rising.jpg'])).toBe(false);
  });

  it('lets the next segment of a popular title in on its first request', () => {
    const admission = new TinyLfuAdmission(1_000, 8);
    for (let n = 0; n < 40; n++) admission.record(segment('hit-show', n % 10)); // watched a lot
    admission.record(segment('obscure', 1));
    admission.record(segment('obscure', 2));
    admission.record(segment('hit-show', 11)); // first time anyone got this far
    expect(admission.admit(segment('hit-show', 11), [segment('obscure', 1)])).toBe(true);
    expect(admission.admit(segment('obscure', 2), [segment('hit-show', 3)])).toBe(false);
  });
});

describe('disk tier with admission', () => {
  it('weighs a fill only once full: what it would push out stays when the newcomer is less wanted', async () => {
    const root = await mkdtemp(join(tmpdir(), 'edge-admission-'));
    try {
      const admission = new TinyLfuAdmission(1_000);
      const decisions: boolean[] = [];
      const disk = new DiskTier(root, 2 * (1_000 + 4096), createLogger({ level: 'silent' }), {
        admission,
        onAdmission: (admitted) => decisions.push(admitted),
      });
      await disk.open();
      const object = (key: string) => ({
        key,
        body: Buffer.alloc(1_000, key),
        etag: '"e"',
        contentType: 'text/plain',
      });
      for (const key of ['a', 'b']) {
        for (let i = 0; i < 3; i++) disk.record(key);
        await disk.put(object(key));
      }
      expect(decisions).toEqual([]); // room for both: nothing to weigh
      disk.record('once');
      await disk.put(object('once'));
      expect(decisions).toEqual([false]);
      expect(await disk.get('once')).toBeUndefined();
      expect((await disk.get('a'))?.body.equals(object('a').body)).toBe(true);
      for (let i = 0; i < 5; i++) disk.record('wanted');
      await disk.put(object('wanted'));
      expect(decisions).toEqual([false, true]);
      expect(await disk.get('wanted')).toBeDefined();
      expect(disk.count).toBe(2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
