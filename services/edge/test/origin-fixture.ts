import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';

/**
 * A small real origin with storage's contract: `GET /origin/<key>` behind the service token, strong
 * ETag = SHA-256, 404 for unknown keys. It counts fetches per key, can answer slowly (to make misses
 * overlap) and can be stopped and restarted on the same port (origin outage).
 */
export async function startOriginFixture(secret: string) {
  const objects = new Map<string, { body: Buffer; type: string }>();
  const fetches = new Map<string, number>();
  /** Keys served with a flipped byte under the true ETag, as a rotting store would. */
  const rotten = new Set<string>();
  let delayMs = 0;
  let port = 0;
  let server: Server | undefined;
  const token = serviceToken(secret);

  const listen = async () => {
    server = createServer((req, res) => {
      const key = decodeURIComponent((req.url ?? '').replace(/^\/origin\//, '').split('?')[0] ?? '');
      if (req.headers[SERVICE_TOKEN_HEADER] !== token) return void res.writeHead(401).end();
      fetches.set(key, (fetches.get(key) ?? 0) + 1);
      const object = objects.get(key);
      setTimeout(() => {
        if (!object) return void res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{}');
        let sent = object.body;
        if (rotten.has(key)) {
          sent = Buffer.from(object.body);
          sent[0] = sent[0]! ^ 0xff;
        }
        res
          .writeHead(200, {
            'content-type': object.type,
            'content-length': object.body.length,
            etag: `"${createHash('sha256').update(object.body).digest('hex')}"`,
          })
          .end(sent);
      }, delayMs);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    objects,
    put(key: string, body: string | Buffer, type = 'application/octet-stream') {
      objects.set(key, { body: Buffer.from(body), type });
    },
    /** Serves `key` with a flipped byte from now on (rot = false heals it). */
    rot(key: string, rot = true) {
      if (rot) rotten.add(key);
      else rotten.delete(key);
    },
    fetchesOf: (key: string) => fetches.get(key) ?? 0,
    totalFetches: () => [...fetches.values()].reduce((a, b) => a + b, 0),
    setDelay(ms: number) {
      delayMs = ms;
    },
    async stop() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
    restart: listen,
  };
}
