import { execFile } from 'node:child_process';
import { access, chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, type Settings } from '@marquee/core';

const run = promisify(execFile);

export interface TlsFiles {
  key: Buffer;
  cert: Buffer;
  /** Where they were read from, so a renewal on disk can be loaded without a restart. */
  certPath: string;
  keyPath: string;
}

/** Where EDGE_TLS=self-signed keeps its certificate, which internal callers also load to trust it. */
const selfSignedPaths = (dataDir: string) => {
  const dir = join(dataDir, 'edge-tls');
  return { dir, certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') };
};

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The edge's certificate: none (plain HTTP, the loopback default), the operator's files, or a
 * self-signed one made on first start and kept in the data dir. Node's crypto cannot write an X.509
 * certificate, so the `openssl` binary makes it; without it start fails and says what to do.
 */
export async function loadEdgeTls(settings: Settings, dataDir: string): Promise<TlsFiles | undefined> {
  if (settings.EDGE_TLS === 'off') return undefined;
  if (settings.EDGE_TLS === 'files') {
    if (!settings.EDGE_TLS_CERT || !settings.EDGE_TLS_KEY) {
      throw new ConfigError(['EDGE_TLS=files needs EDGE_TLS_CERT and EDGE_TLS_KEY (PEM files)']);
    }
    const [certPath, keyPath] = [settings.EDGE_TLS_CERT, settings.EDGE_TLS_KEY];
    return { cert: await readFile(certPath), key: await readFile(keyPath), certPath, keyPath };
  }
  const { dir, certPath, keyPath } = selfSignedPaths(dataDir);
  if (!((await exists(certPath)) && (await exists(keyPath)))) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '825',
        '-subj',
        '/CN=marquee-edge',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ]);
      await chmod(keyPath, 0o600);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ConfigError([
        missing
          ? 'EDGE_TLS=self-signed needs the openssl binary to make a certificate (apt-get install openssl), or use EDGE_TLS=files with your own certificate'
          : `EDGE_TLS=self-signed: openssl could not make a certificate: ${(err as Error).message}`,
      ]);
    }
  }
  return { cert: await readFile(certPath), key: await readFile(keyPath), certPath, keyPath };
}

/**
 * The certificate an internal caller (the gateway's edge probes) trusts to reach the edges of this
 * platform over TLS: the self-signed one from the data dir, or EDGE_TLS_CERT. Undefined with TLS off,
 * and while the self-signed certificate does not exist yet (an edge in another process on the same
 * data dir makes it when it starts): callers ask again later rather than trusting anything else.
 */
export async function loadEdgeTrustAnchor(settings: Settings, dataDir: string): Promise<Buffer | undefined> {
  if (settings.EDGE_TLS === 'off') return undefined;
  const path = settings.EDGE_TLS === 'files' ? settings.EDGE_TLS_CERT : selfSignedPaths(dataDir).certPath;
  if (!path) return undefined;
  return readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}
