import { Agent, type Dispatcher } from 'undici';

/** One request's outcome: status, size, time to the last byte and (when asked for) the body. */
export interface Fetched {
  status: number;
  bytes: number;
  ms: number;
  body?: Buffer;
  contentType?: string;
}

/** A request that got no HTTP answer, or one the player could not use, by kind for the report. */
export class RequestFailed extends Error {
  constructor(
    readonly kind: string,
    message: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
  }
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

export function failureKind(err: unknown): string {
  if (err instanceof RequestFailed) return err.kind;
  const code = (err as { code?: string } | undefined)?.code;
  if (code && TIMEOUT_CODES.has(code)) return 'timeout';
  return 'connection';
}

/**
 * The RFC 9457 `code` of an error answer (a Marquee problem+json body), or undefined: it tells apart the
 * 403s of a heartbeat (session ended, stream limit) and the 503s of a gateway (shed, unavailable).
 */
export function problemCode(body: Buffer | undefined): string | undefined {
  if (!body || body.length === 0 || body.length > 16_384 || body[0] !== 0x7b) return undefined;
  try {
    const code = (JSON.parse(body.toString('utf8')) as { code?: unknown }).code;
    return typeof code === 'string' && code.length <= 80 ? code : undefined;
  } catch {
    return undefined;
  }
}

/** "http 403 playback.session_ended", or "http 502" when the answer carries no problem code. */
export function httpFailureKind(status: number, body: Buffer | undefined): string {
  const code = problemCode(body);
  return code ? `http ${status} ${code}` : `http ${status}`;
}

/**
 * A viewer's HTTP client, as a browser is one: its own keep-alive connections (two per host: hls.js
 * fetches audio and video side by side) from its own source address. Bodies are counted chunk by
 * chunk through undici's dispatch API, so media bytes are never copied or streamed through a Readable.
 */
export class ViewerHttp {
  private readonly agent: Agent;

  constructor(options: { localAddress?: string; timeoutMs?: number }) {
    const timeout = options.timeoutMs ?? 10_000;
    this.agent = new Agent({
      connections: 2,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: timeout,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
  }

  request(
    url: URL,
    init: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string },
    keepBody: boolean,
  ): Promise<Fetched> {
    const started = performance.now();
    return new Promise<Fetched>((resolve, reject) => {
      let status = 0;
      let bytes = 0;
      let contentType: string | undefined;
      // An error's body is kept too: its problem code says which error it was (problemCode).
      let chunks: Buffer[] | undefined = keepBody ? [] : undefined;
      this.agent.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: init.method ?? 'GET',
          headers: init.headers ?? {},
          body: init.body ?? null,
        },
        {
          // undici treats a handler as the new (controller) kind only when it has onRequestStart.
          onRequestStart() {},
          onResponseStart(_controller, statusCode, headers) {
            status = statusCode;
            if (statusCode >= 400) chunks ??= [];
            const type = headers['content-type'];
            if (typeof type === 'string') contentType = type;
          },
          onResponseData(_controller, chunk) {
            bytes += chunk.length;
            chunks?.push(chunk);
          },
          onResponseEnd() {
            resolve({
              status,
              bytes,
              ms: performance.now() - started,
              ...(chunks ? { body: Buffer.concat(chunks) } : {}),
              ...(contentType ? { contentType } : {}),
            });
          },
          onResponseError(_controller, error) {
            reject(error);
          },
        },
      );
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * The source address of viewer `index`: 127.1.0.1, 127.1.0.2, … (all of 127/8 reaches loopback on
 * Linux). Each viewer counts as its own client for per-address limits, as real viewers do.
 */
export function viewerAddress(index: number): string {
  const n = index + 1;
  return `127.${1 + Math.floor(n / 65_024)}.${Math.floor((n % 65_024) / 254)}.${(n % 254) + 1}`;
}
