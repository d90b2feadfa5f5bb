import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequestHead } from '../src/http/request-head.js';

/**
 * The lean responder must never take a request Node's parser would refuse or read differently (that
 * is how request smuggling starts). Heads mutated at random from a valid one are given to both: every
 * head the lean parser accepts, Node must accept too, with the same method, target and the headers an
 * answer depends on.
 */

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD = [
  ' ',
  '\t',
  ':',
  '"',
  '(',
  '\u0000',
  '\u0001',
  '\u007f',
  '\u00e9',
  '_',
  '.',
  '~',
  '\r',
  '\n',
  ',',
  '/',
];
const VALUES = ['bytes=0-99', 'bytes=5-', '"abc"', 'W/"x"', 'close', 'keep-alive, close', 'upgrade', ''];
const NAMES = ['Range', 'If-None-Match', 'If-Range', 'Connection', 'Accept', 'X-Custom', 'Host'];

function mutate(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const lines = ['GET /t/tok.sig/a/asset-1/v720/seg_00001.m4s HTTP/1.1', 'Host: edge.example'];
  for (let i = Math.floor(next() * 4); i > 0; i--) lines.push(`${pick(NAMES)}: ${pick(VALUES)}`);
  for (let m = 1 + Math.floor(next() * 3); m > 0; m--) {
    const line = Math.floor(next() * lines.length);
    const text = lines[line]!;
    const at = Math.floor(next() * (text.length + 1));
    const kind = next();
    if (kind < 0.5) lines[line] = text.slice(0, at) + pick(ODD) + text.slice(at);
    else if (kind < 0.65) lines[line] = text.slice(0, at) + text.slice(at + 1);
    else if (kind < 0.8) lines[line] = text.toLowerCase();
    else if (kind < 0.9) lines.splice(line + 1, 0, ` ${pick(VALUES)}`);
    else lines.push(text);
  }
  const eol = next() < 0.9 ? '\r\n' : pick(['\n', '\r\n', '\r']);
  return lines.join(eol) + eol + eol;
}

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
}

describe('the lean request-head parser against Node’s', () => {
  let server: Server;
  let port: number;
  let seen: Seen | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers };
      res.writeHead(200, { connection: 'close' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** What Node makes of `head`: its status line, and the request it saw if it answered 200. */
  async function node(head: string): Promise<{ status: number; seen: Seen | undefined }> {
    seen = undefined;
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.write(Buffer.from(head, 'latin1'));
    await new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1_000).unref();
    });
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0), seen };
  }

  it('accepts only what Node accepts, and reads it the same way (400 mutated heads)', async () => {
    const next = random(20261121);
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const head = mutate(next);
      const ours = parseRequestHead(Buffer.from(head, 'latin1'));
      if (ours.kind !== 'request') continue;
      accepted++;
      const theirs = await node(head);
      const label = JSON.stringify(head);
      expect(theirs.status, label).toBe(200);
      expect(theirs.seen?.method, label).toBe(ours.method);
      expect(theirs.seen?.url, label).toBe(ours.url);
      for (const name of ['host', 'range', 'if-range', 'if-none-match', 'connection'])
        expect(theirs.seen?.headers[name], `${label} ${name}`).toEqual(ours.headers[name]);
    }
    // The mutations must leave enough valid heads for the comparison to mean something.
    expect(accepted).toBeGreaterThan(50);
  });
});
