import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one address in front of a local cluster's gateways, doing what an ingress controller does in
 * Kubernetes: HTTP keep-alive to viewers on one side, requests spread round-robin over the gateways
 * that answer /readyz/self (their own readiness, not the aggregate of their upstreams) on the other, a gateway taken out of rotation before it is stopped (drain), and a
 * request retried on another gateway only when the first provably never received it (connection
 * refused, or a reused keep-alive socket the gateway had already closed — Node's documented race).
 * Written here rather than relying on haproxy (Debian has 2.6) so the rig and its tests need nothing
 * beyond Node; it is a test and development rig, not a production proxy.
 */

export interface IngressOptions {
  backends: readonly string[];
  host?: string;
  port?: number;
  /** How often each gateway's /readyz/self is probed. */
  probeIntervalMs?: number;
  /** Request bodies up to this size are buffered, so a refused attempt can be replayed elsewhere. */
  replayableBodyBytes?: number;
}

/**
 * Faults injected at this proxy (chaos experiments only: a proxy without them forwards untouched). In
 * front of one replica it is that replica's HTTP boundary as its callers see it, as Toxiproxy does.
 */
export interface InjectedFaults {
  /** Share of requests held `latencyMs` before they are forwarded. */
  latencyShare: number;
  latencyMs: number;
  /** Share of requests answered `errorStatus` without being forwarded. */
  errorShare: number;
  errorStatus: number;
}

export interface BackendState {
  url: string;
  healthy: boolean;
  draining: boolean;
  inFlight: number;
  requests: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** Connection failures after which the gateway cannot have seen the request. */
function neverDelivered(err: NodeJS.ErrnoException, reusedSocket: boolean): boolean {
  if (err.code === 'ECONNREFUSED') return true;
  return reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up');
}

export class Ingress {
  private readonly backends: BackendState[];
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 60_000 });
  private readonly server: http.Server;
  private cursor = 0;
  private readonly probeFailures = new Map<string, number>();
  private probeTimer: NodeJS.Timeout | undefined;
  private faults: InjectedFaults | undefined;
  private address: AddressInfo | undefined;

  constructor(private readonly options: IngressOptions) {
    if (options.backends.length === 0) throw new Error('an ingress needs at least one gateway');
    this.backends = options.backends.map((url) => ({
      url,
      healthy: true,
      draining: false,
      inFlight: 0,
      requests: 0,
    }));
    // A viewer that goes away mid-body makes reading it throw ("aborted"): that request ends there, and
    // must not take the whole rig down as an unhandled rejection (it ended a latency experiment).
    this.server = http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  get url(): string {
    if (!this.address) throw new Error('ingress not listening');
    return `http://${this.options.host ?? '127.0.0.1'}:${this.address.port}`;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve);
    });
    this.address = this.server.address() as AddressInfo;
    const probe = () => {
      void this.probeAll().finally(() => {
        if (this.probeTimer) this.probeTimer = setTimeout(probe, this.options.probeIntervalMs ?? 1_000);
      });
    };
    this.probeTimer = setTimeout(probe, 0);
    return this.url;
  }

  snapshot(): BackendState[] {
    return this.backends.map((b) => ({ ...b }));
  }

  /** Stops sending new requests to `url` (readiness false, as Kubernetes does before SIGTERM). */
  drain(url: string, draining = true): void {
    this.backend(url).draining = draining;
  }

  /** Resolves once `url` has no request in flight, or after `timeoutMs`. */
  async idle(url: string, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.backend(url).inFlight > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** Starts (or, with undefined, stops) injecting faults into the requests that come through. */
  setFaults(faults: InjectedFaults | undefined): void {
    this.faults = faults;
  }

  /** Marks `url` healthy or not at once (e.g. the rig saw its process exit), ahead of the next probe. */
  setHealthy(url: string, healthy: boolean): void {
    this.backend(url).healthy = healthy;
  }

  async close(): Promise<void> {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      setTimeout(() => {
        this.server.closeAllConnections();
        resolve();
      }, 5_000).unref();
    });
    this.agent.destroy();
  }

  private backend(url: string): BackendState {
    const b = this.backends.find((x) => x.url === url);
    if (!b) throw new Error(`unknown gateway ${url}`);
    return b;
  }

  /** Two failed probes in a row take a gateway out (one slow answer on a busy machine does not). */
  private async probeAll(): Promise<void> {
    await Promise.all(
      this.backends.map(async (b) => {
        let ok = false;
        try {
          // The gateway's own readiness: its aggregate /readyz goes 503 when any upstream is down, and
          // probing that took every gateway out at once (the cascading failure Kubernetes would make).
          const res = await fetch(`${b.url}/readyz/self`, { signal: AbortSignal.timeout(2_000) });
          await res.arrayBuffer();
          ok = res.status === 200;
        } catch {
          ok = false;
        }
        const failures = ok ? 0 : (this.probeFailures.get(b.url) ?? 0) + 1;
        this.probeFailures.set(b.url, failures);
        b.healthy = failures < 2;
      }),
    );
  }

  /** Round-robin over healthy gateways not draining; failing that, any not draining (a guess beats a 503). */
  private pick(exclude: ReadonlySet<string>): BackendState | undefined {
    const open = this.backends.filter((b) => !b.draining && !exclude.has(b.url));
    const healthy = open.filter((b) => b.healthy);
    const candidates = healthy.length > 0 ? healthy : open;
    if (candidates.length === 0) return undefined;
    return candidates[this.cursor++ % candidates.length];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const faults = this.faults;
    const isProbe = req.url === '/healthz' || req.url === '/readyz' || req.url === '/readyz/self';
    if (faults && !isProbe) {
      if (Math.random() < faults.errorShare) {
        req.resume();
        res.writeHead(faults.errorStatus, { 'content-type': 'application/problem+json' });
        res.end(
          JSON.stringify({
            type: 'about:blank',
            title: 'injected fault (chaos experiment)',
            status: faults.errorStatus,
          }),
        );
        return;
      }
      if (Math.random() < faults.latencyShare) await new Promise((r) => setTimeout(r, faults.latencyMs));
    }
    // No Content-Length and no Transfer-Encoding means no body (RFC 9112 §6.3): such a request, a
    // DELETE included, can be replayed as surely as a GET.
    const length = Number(req.headers['content-length'] ?? (req.headers['transfer-encoding'] ? NaN : 0));
    const replayable = Number.isFinite(length) && length <= (this.options.replayableBodyBytes ?? 1024 * 1024);
    let body: Buffer | undefined;
    if (replayable) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    }
    const tried = new Set<string>();
    for (;;) {
      const backend = this.pick(tried);
      if (!backend) {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'no gateway available', status: 503 }));
        return;
      }
      tried.add(backend.url);
      const outcome = await this.forward(backend, req, res, body);
      if (outcome !== 'retry') return;
    }
  }

  /** One attempt; 'retry' only when the gateway cannot have received the request and the body is replayable. */
  private forward(
    backend: BackendState,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
  ): Promise<'done' | 'retry'> {
    backend.inFlight += 1;
    backend.requests += 1;
    return new Promise((resolve) => {
      const target = new URL(req.url ?? '/', backend.url);
      const upstream = http.request(target, {
        method: req.method,
        headers: forwardedHeaders(req),
        agent: this.agent,
      });
      let settled = false;
      const finish = (outcome: 'done' | 'retry') => {
        if (settled) return;
        settled = true;
        backend.inFlight -= 1;
        resolve(outcome);
      };
      upstream.on('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
        answer.pipe(res);
        answer.on('end', () => finish('done'));
        answer.on('error', () => {
          res.destroy();
          finish('done');
        });
        res.on('close', () => {
          if (!answer.complete) answer.destroy();
          finish('done');
        });
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') {
          // Nothing listens there: out of rotation now, not at the next probe.
          backend.healthy = false;
          this.probeFailures.set(backend.url, 2);
        }
        if (!res.headersSent && body && neverDelivered(err, upstream.reusedSocket)) return finish('retry');
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/problem+json' });
          res.end(
            JSON.stringify({
              type: 'about:blank',
              title: `gateway failed: ${err.code ?? err.message}`,
              status: 502,
            }),
          );
        } else {
          res.destroy();
        }
        finish('done');
      });
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (body) upstream.end(body);
      else req.pipe(upstream);
    });
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
}

/** The viewer's headers plus X-Forwarded-*, appending the peer to any X-Forwarded-For (as nginx's $proxy_add_x_forwarded_for). */
function forwardedHeaders(req: IncomingMessage): IncomingHttpHeaders {
  const headers = withoutHopByHop(req.headers);
  const peer = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${peer}` : peer;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-host'] = req.headers.host ?? '';
  // A streamed body keeps its framing: chunked when the viewer sent it so.
  if (req.headers['transfer-encoding'] && !req.headers['content-length'])
    headers['transfer-encoding'] = 'chunked';
  return headers;
}
