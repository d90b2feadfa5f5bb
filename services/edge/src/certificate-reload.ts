import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from '@marquee/core';

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
}

/** What the edge's TLS server offers to swap in: Node's https and tls servers both have it. */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

export interface CertificateReloaderOptions extends CertificateFiles {
  server: SecureContextTarget;
  logger: Logger;
  /** How often the files' stat is read. ACME clients renew days before expiry: seconds are plenty. */
  intervalMs?: number;
  /** The certificate's expiry after every load, for the expiry gauge. */
  onLoaded?: (validTo: Date) => void;
}

/**
 * Keeps the edge's certificate current without a restart, the way operators renew with ACME clients
 * (certbot, lego, cert-manager's mounted secrets): the certificate and key files are polled by stat
 * (inode, size, mtime — a symlink swap, a rename or an in-place write all change one), and a changed
 * pair is loaded into the running server for new handshakes; open connections keep theirs.
 * Polling rather than fs.watch because watches do not survive the rename-over and symlink swaps
 * those clients use, and Kubernetes updates mounted secrets through a symlinked directory.
 * A pair that does not load — half written, key and certificate not matching — is not applied: the
 * old certificate keeps serving and the next change is tried again.
 */
export class CertificateReloader {
  private timer: NodeJS.Timeout | undefined;
  private seen = '';
  private checking: Promise<void> | undefined;

  constructor(private readonly options: CertificateReloaderOptions) {}

  /** Notes the files as they are now (the server started with them) and begins polling. */
  async start(): Promise<void> {
    this.seen = await this.fingerprint();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One poll; exposed so tests need not wait for the interval. Concurrent calls share one. */
  check(): Promise<void> {
    this.checking ??= this.reloadIfChanged().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async reloadIfChanged(): Promise<void> {
    const { server, logger, certPath, keyPath } = this.options;
    let now: string;
    try {
      now = await this.fingerprint();
    } catch (err) {
      // Mid-rename a file can be missing for an instant: keep serving, look again next time.
      logger.warn({ err, certPath, keyPath }, 'TLS certificate files unreadable; keeping the current one');
      return;
    }
    if (now === this.seen) return;
    try {
      const [cert, key] = await Promise.all([readFile(certPath), readFile(keyPath)]);
      const validTo = checkPair(cert, key);
      server.setSecureContext({ cert, key });
      this.seen = now;
      this.options.onLoaded?.(validTo);
      logger.info({ certPath, validTo: validTo.toISOString() }, 'TLS certificate reloaded');
    } catch (err) {
      logger.warn({ err, certPath, keyPath }, 'TLS certificate change not applied; keeping the current one');
    }
  }

  private async fingerprint(): Promise<string> {
    const { certPath, keyPath } = this.options;
    const [c, k] = await Promise.all([stat(certPath), stat(keyPath)]);
    return [c.ino, c.size, c.mtimeMs, k.ino, k.size, k.mtimeMs].join(':');
  }
}

/**
 * Throws unless the PEM pair makes a usable context and the key belongs to the certificate (a
 * renewal written file by file can be caught between the two); gives the certificate's expiry.
 */
export function checkPair(cert: Buffer, key: Buffer): Date {
  const x509 = new X509Certificate(cert);
  if (!x509.checkPrivateKey(createPrivateKey(key))) {
    throw new Error('the private key does not belong to the certificate');
  }
  createSecureContext({ cert, key });
  return new Date(x509.validTo);
}
