import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessClaims } from '@marquee/contracts';
import { clientResponseHeaders, upstreamRequestHeaders } from '../app/forwarding.js';
import type { UpstreamService } from './upstreams.js';

export interface ForwardOptions {
  body: Buffer | Readable | null;
  caller: AccessClaims | undefined;
  serviceToken: string;
  /** The origin clients use; else the request's own scheme and Host. */
  publicOrigin: string | undefined;
  /** Uploads: the body streams through and its duration says nothing about upstream latency. */
  upload: boolean;
  timeoutMs: number | undefined;
  /** Past the upstream's concurrency limiter (a call that frees capacity: RouteRule.releases). */
  unlimited?: boolean;
}

const NO_BODY = new Set([204, 304]);
/**
 * Answers up to this size (by Content-Length) are read whole and sent as one buffer: the headers and
 * the body leave in one write, which costs far less than piping a stream for the typical small JSON
 * answer. Larger or unsized answers stream through.
 */
const BUFFER_UP_TO = 64 * 1024;

/**
 * Proxies one request to `upstream` with the public path unchanged: identity and service token added,
 * client-sent internal headers dropped, upload bodies and large answers streamed.
 */
export async function forward(
  req: FastifyRequest,
  reply: FastifyReply,
  upstream: UpstreamService,
  options: ForwardOptions,
): Promise<FastifyReply> {
  const publicOrigin = options.publicOrigin ?? `${req.protocol}://${req.host}`;
  const headers = upstreamRequestHeaders(req.headers, {
    requestId: req.id,
    serviceToken: options.serviceToken,
    ...(options.caller ? { identity: options.caller } : {}),
    clientAddress: req.ip,
    protocol: req.protocol,
    host: req.host,
  });
  if (Buffer.isBuffer(options.body)) headers['content-length'] = String(options.body.length);
  else if (options.body === null) delete headers['content-length'];

  // A client that goes away mid-upload aborts the upstream call too, so storage is not kept busy.
  // (Small bodies are already read: their calls end on their own, without a controller per request.)
  let aborted: AbortController | undefined;
  if (options.body !== null && !Buffer.isBuffer(options.body)) {
    const controller = (aborted = new AbortController());
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
  }
  const res = await upstream.stream(
    req.method,
    req.url,
    {
      headers,
      body: options.body,
      ...(aborted ? { signal: aborted.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
    !options.upload,
    options.unlimited === true,
  );
  void reply.status(res.status).headers(clientResponseHeaders(res.headers, res.instance, publicOrigin));
  if (req.method === 'HEAD' || NO_BODY.has(res.status)) {
    res.body.resume();
    return reply.send();
  }
  const length = Number(res.headers['content-length'] ?? Infinity);
  if (length <= BUFFER_UP_TO) return reply.send(await readAll(res.body));
  return reply.send(res.body);
}

/** A small body, whole: one promise for the lot (an async iterator costs several per chunk). */
function readAll(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('error', reject);
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
}
