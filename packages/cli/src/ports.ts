import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports are picked below the kernel's ephemeral range when there is room there. A port the OS hands
 * out for `listen(0)` comes from that range, and so does the source port of every outgoing connection
 * on the machine: between our probe and the service's own bind, some other process's connection could
 * take it (`listen EADDRINUSE`, seen in the web tests at high load). Below the range only another
 * prober can collide, and the picks are random over ~10,000 ports.
 */
const LOWEST = 10_000;
const handedOut = new Set<number>();

function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768; // Linux's default; elsewhere a guess that only narrows the choice
  }
}

function tryListen(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Asks for a free loopback port, so every service's URL is known before any service is built. Never
 * the same port twice in one process (two services asked at once could otherwise be given one port).
 */
export async function freePort(host: string): Promise<number> {
  const top = ephemeralStart() - 1;
  if (top - LOWEST >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const candidate = LOWEST + Math.floor(Math.random() * (top - LOWEST + 1));
      if (handedOut.has(candidate)) continue;
      handedOut.add(candidate); // before the probe: a concurrent call must not pick it meanwhile
      if ((await tryListen(host, candidate)) === candidate) return candidate;
      handedOut.delete(candidate);
    }
  }
  for (;;) {
    const port = await tryListen(host, 0);
    if (port === undefined) throw new Error(`no free port on ${host}`);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
