import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { answers } from './local-port.js';
import { startRedisServer } from './redis-server.js';

const portOf = (url: string) => Number(new URL(url).port);

async function stopsAnswering(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!(await answers(port))) return true;
    await sleep(50);
  }
  return false;
}

describe('startRedisServer', () => {
  it('is killed, restarted empty on the same port, and stopped', async () => {
    const redis = await startRedisServer();
    const port = portOf(redis.url);
    expect(await answers(port)).toBe(true);
    await redis.kill();
    expect(await answers(port)).toBe(false);
    await redis.restart();
    expect(await answers(port)).toBe(true);
    await redis.stop();
    expect(await stopsAnswering(port)).toBe(true);
  });

  it('dies with the process that started it, even one SIGKILLed before it could clean up', async () => {
    const owner = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/redis-server-owner.ts', import.meta.url))],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    owner.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    while (!out.includes('\n')) await once(owner.stdout, 'data');
    const port = portOf(out.trim());
    expect(await answers(port)).toBe(true);
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    expect(await stopsAnswering(port)).toBe(true);
  }, 30_000);
});
