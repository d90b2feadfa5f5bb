import { afterEach, describe, expect, it } from 'vitest';
import { processGroupAlive, runMarquee, tempDataDir, waitFor, type Spawned } from './helpers.js';
import { freePort } from '../src/ports.js';

const running: Spawned[] = [];
afterEach(() => {
  for (const r of running.splice(0))
    if (r.child.pid && processGroupAlive(r.child.pid)) process.kill(-r.child.pid, 'SIGKILL');
});

describe('marquee start (monolithic mode)', () => {
  it('is ready within 30 s with all eight services and stops cleanly on SIGINT', async () => {
    const port = await freePort('127.0.0.1');
    const started = Date.now();
    const m = runMarquee(['start'], {
      MARQUEE_PORT: String(port),
      MARQUEE_DATA_DIR: tempDataDir(),
      MARQUEE_DEMO: 'false',
      LOG_LEVEL: 'warn',
    });
    running.push(m);
    const body = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200
          ? ((await res.json()) as { status: string; services: Record<string, unknown> })
          : undefined;
      },
      30_000,
      `readyz 200 (output so far:\n${m.output()})`,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.services).sort()).toEqual(
      ['analytics', 'edge', 'encoder', 'gateway', 'recommender', 'storage', 'streaming', 'users'].sort(),
    );

    process.kill(m.child.pid!, 'SIGINT');
    const code = await Promise.race([
      m.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000)),
    ]);
    expect(code, m.output()).toBe(0);
    // tsx's esbuild service notices its parent is gone a moment later (stdin closes): give it seconds.
    await waitFor(async () => (processGroupAlive(m.child.pid!) ? undefined : true), 5_000, 'children').catch(
      () => undefined,
    );
    expect(processGroupAlive(m.child.pid!), 'a child process outlived marquee').toBe(false);
  }, 60_000);
});

describe('bad configuration', () => {
  it('names every malformed key in one message, without a stack trace', async () => {
    const m = runMarquee(['start'], {
      MARQUEE_PORT: 'abc',
      LOG_LEVEL: 'loud',
      MARQUEE_DATA_DIR: tempDataDir(),
    });
    running.push(m);
    expect(await m.exited).toBe(1);
    const out = m.output();
    expect(out).toMatch(/MARQUEE_PORT/);
    expect(out).toMatch(/LOG_LEVEL/);
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('names every unreachable backend in one message', async () => {
    const m = runMarquee(['start'], {
      DATABASE_URL: 'postgres://nowhere.invalid/db',
      REDIS_URL: 'redis://127.0.0.1:1',
      MARQUEE_DATA_DIR: tempDataDir(),
      MARQUEE_DEMO: 'false',
    });
    running.push(m);
    expect(await m.exited).toBe(1);
    const out = m.output();
    expect(out).toMatch(/DATABASE_URL: .*nowhere\.invalid/);
    expect(out).toMatch(/REDIS_URL: .*127\.0\.0\.1:1/);
    expect(out).not.toMatch(/\n\s+at /);
  }, 30_000);
});
