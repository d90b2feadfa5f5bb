import { describe, expect, it } from 'vitest';
import { detectMemoryLimit } from './memory-limit.js';
import { detectRealtimeGuard } from './realtime-guard.js';
import { createMediaRunner } from './run.js';

const PATH = '/usr/bin:/bin:/usr/sbin:/sbin';
const asRoot = process.getuid?.() === 0;

describe('detectRealtimeGuard', () => {
  it('adds nothing for a non-root encoder (it cannot raise its priority anyway)', async () => {
    expect(await detectRealtimeGuard(PATH, 1000)).toEqual([]);
  });

  it('warns, and adds nothing, when root has no setpriv on its PATH', async () => {
    const warnings: string[] = [];
    expect(await detectRealtimeGuard('/nonexistent', 0, (m) => warnings.push(m))).toEqual([]);
    expect(warnings.join()).toMatch(/realtime priority/);
  });

  // CI runs as root, where SVT-AV1 would give itself SCHED_FIFO: a child under the guard must be refused
  // a realtime policy (chrt -f 1 asks for exactly what SVT-AV1 asks for), one without it is not.
  it.skipIf(!asRoot)('as root, a guarded child cannot take a realtime scheduling policy', async () => {
    const guard = await detectRealtimeGuard(PATH, 0);
    expect(guard[0]).toMatch(/setpriv$/);
    const memoryLimit = await detectMemoryLimit(PATH);
    const limits = { wallTimeMs: 10_000 };
    const guarded = createMediaRunner({ memoryLimit, commandPrefix: guard });
    const bare = createMediaRunner({ memoryLimit });
    expect((await guarded.run('chrt', ['-f', '1', 'true'], { limits })).exitCode).not.toBe(0);
    expect((await bare.run('chrt', ['-f', '1', 'true'], { limits })).exitCode).toBe(0);
  });
});
