import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rename, rm, writeFile, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { CertificateReloader, checkPair } from '../src/certificate-reload.js';

const run = promisify(execFile);
const logger = createLogger({ level: 'silent' });

/** A self-signed pair made by openssl, as an operator's ACME client would leave it on disk. */
async function makePair(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', key, '-out', cert,
  ]); // prettier-ignore
  return { cert, key };
}

/** The subject CN a fresh TLS handshake gets from the server. */
function servedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(Array.isArray(cn) ? cn.join(',') : (cn ?? ''));
    });
    socket.on('error', reject);
  });
}

describe('the edge certificate reloads without a restart', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let first: { cert: string; key: string };
  let second: { cert: string; key: string };
  const live = () => ({ certPath: join(dir, 'live.crt'), keyPath: join(dir, 'live.key') });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-certs-'));
    [first, second] = await Promise.all([makePair(dir, 'first.test'), makePair(dir, 'second.test')]);
    await copyFile(first.cert, live().certPath);
    await copyFile(first.key, live().keyPath);
    server = createServer({ cert: await readFile(first.cert), key: await readFile(first.key) }, (_q, r) =>
      r.end('ok'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a renewed pair to new handshakes, and keeps the old one when the new pair does not match', async () => {
    const expiries: Date[] = [];
    const reloader = new CertificateReloader({
      server,
      ...live(),
      logger,
      intervalMs: 60_000,
      onLoaded: (d) => expiries.push(d),
    });
    await reloader.start();
    try {
      expect(await servedName(port)).toBe('first.test');
      await reloader.check(); // nothing changed: nothing loaded
      expect(expiries).toEqual([]);

      // A renewal written the way ACME clients do: new files renamed over the live ones.
      await copyFile(second.key, `${live().keyPath}.new`);
      await copyFile(second.cert, `${live().certPath}.new`);
      await rename(`${live().keyPath}.new`, live().keyPath);
      await rename(`${live().certPath}.new`, live().certPath);
      await reloader.check();
      expect(await servedName(port)).toBe('second.test');
      expect(expiries).toHaveLength(1);
      expect(expiries[0]!.getTime()).toBeGreaterThan(Date.now());

      // Caught half way: the first certificate beside the second key. Not applied; still serving.
      await copyFile(first.cert, live().certPath);
      await reloader.check();
      expect(await servedName(port)).toBe('second.test');
      expect(expiries).toHaveLength(1);

      // A garbage file is no better.
      await writeFile(live().certPath, 'not a certificate');
      await reloader.check();
      expect(await servedName(port)).toBe('second.test');

      // The renewal completes: its key arrives, and the pair loads.
      await copyFile(first.key, live().keyPath);
      await copyFile(first.cert, live().certPath);
      await reloader.check();
      expect(await servedName(port)).toBe('first.test');
      expect(expiries).toHaveLength(2);
    } finally {
      reloader.stop();
    }
  });

  it('refuses a key that is not the certificate’s', async () => {
    expect(() => checkPair(Buffer.from('x'), Buffer.from('y'))).toThrow();
    const mismatched = checkPair.bind(null, await readFile(first.cert), await readFile(second.key));
    expect(mismatched).toThrow(/does not belong/);
  });
});
