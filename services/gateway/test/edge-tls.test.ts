import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

/** An edge answering /readyz over TLS with a self-signed certificate for 127.0.0.1, as EDGE_TLS=self-signed makes. */
let dir: string;
let cert: Buffer;
let edge: FastifyInstance;
let edgeUrl: string;
let gw: TestGateway;
let certWritten = false;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-gw-tls-'));
  await promisify(execFile)('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-days', '1', '-subj', '/CN=marquee-edge', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  ]);
  cert = await readFile(join(dir, 'cert.pem'));
  edge = Fastify({ https: { cert, key: await readFile(join(dir, 'key.pem')) } });
  edge.get('/readyz', async () => ({ status: 'ready' }));
  edgeUrl = await edge.listen({ port: 0, host: '127.0.0.1' });
  // The certificate appears only after the gateway started (an edge in another process makes it).
  gw = await startGateway({ edge: [edgeUrl] }, { edgeCa: async () => (certWritten ? cert : undefined) });
});
afterAll(async () => {
  await gw.close();
  await edge.close();
  await rm(dir, { recursive: true, force: true });
});

const edgeReadiness = async (): Promise<unknown> => (await gw.app.inject('/readyz')).json().services.edge;

describe('probing edges that listen with TLS', () => {
  it("trusts the edges' certificate once it can load it, for edge calls only", async () => {
    expect(edgeUrl).toMatch(/^https:\/\/127\.0\.0\.1:/);
    // No certificate to trust yet: the self-signed edge is not reachable, rather than trusted blindly.
    expect(await edgeReadiness()).toMatchObject({ status: 'not_ready', ready: 0, instances: 1 });

    certWritten = true;
    await new Promise((r) => setTimeout(r, 1_100)); // past the readiness memo
    expect(await edgeReadiness()).toMatchObject({ status: 'ready', ready: 1, instances: 1 });

    // Nothing global changed: a plain client in this process still refuses the certificate.
    await expect(request(`${edgeUrl}/readyz`)).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });
});
