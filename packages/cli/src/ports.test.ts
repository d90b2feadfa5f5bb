import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './ports.js';

const bind = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });

describe('freePort', () => {
  it('hands out distinct ports that can be bound, outside the range outgoing connections use', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort('127.0.0.1')));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) await bind(port);
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > 11_000) for (const port of ports) expect(port).toBeLessThan(low);
  });
});
