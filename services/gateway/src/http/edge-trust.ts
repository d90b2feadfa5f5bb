import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '@marquee/core';

/** PEM of the certificate the edges' TLS chains to, or undefined while there is none to load yet. */
export type EdgeCaLoader = () => Promise<Buffer | string | undefined>;

/**
 * How the gateway connects to edges. An edge with EDGE_TLS on usually presents a certificate no public
 * CA signed (self-signed): the gateway trusts exactly that certificate, beside the public roots, on
 * edge connections only — verification stays on, and nothing else trusts it. The certificate is loaded
 * on first use and again until found, because an edge in another process on the same data dir may
 * write it after this gateway starts.
 */
export class EdgeTrust {
  private agent: Promise<Agent | undefined> | undefined;
  private warned = false;

  constructor(
    private readonly logger: Logger,
    private readonly loadCa?: EdgeCaLoader,
  ) {}

  /** The dispatcher for edge calls; undefined means the default one (edges without TLS, or not yet known). */
  async dispatcher(): Promise<Dispatcher | undefined> {
    if (!this.loadCa) return undefined;
    const loadCa = this.loadCa;
    this.agent ??= loadCa().then(
      (ca) => (ca ? new Agent({ connect: { ca: [...rootCertificates, ca.toString()] } }) : undefined),
      (err: unknown) => {
        if (!this.warned)
          this.logger.warn({ err }, "cannot load the edges' TLS certificate; probing without it");
        this.warned = true;
        return undefined;
      },
    );
    const agent = await this.agent;
    if (!agent) this.agent = undefined; // not there yet: look again on the next probe
    return agent;
  }

  async close(): Promise<void> {
    await (await this.agent)?.close();
  }
}
