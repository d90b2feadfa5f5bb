import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessClaims } from '@marquee/contracts';
import { clientResponseHeaders, upstreamRequestHeaders } from '../app/forwarding.js';
import type { ServiceStreamResponse, VerifiedProfile } from '@marquee/core';
import type { UpstreamService } from './upstreams.js';

export interface ForwardOptions {
  body: Buffer | Readable | null;
  caller: AccessClaims | undefined;
  /** The request's profile once its ownership was checked: forwarded as part of the caller's identity. */
  profile?: VerifiedProfile | undefined;
  serviceToken: string;
  /** The origin clients use; else the request's own scheme and Host. */
  publicOrigin: string | undefined;
  /** Uploads: the body streams through and its duration says nothing about upstream latency. */
  upload: boolean;
  timeoutMs: number | undefined;
  /**
   * A call that frees capacity (RouteRule.releases): past the upstream's concurrency limiter and its
   * circuit breakers (UpstreamService.stream).
   */
  releases?: boolean;
  /** Headers the gateway adds to the answer, given its status (a known device's cookie). */
  answerHeaders?: (status: number) => Record<string, string> | undefined;
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
  const headers = upstreamRequestHeaders(req.headers, {
    requestId: req.id,
    serviceToken: options.serviceToken,
    ...(options.caller
      ? { identity: options.profile ? { ...options.caller, profile: options.profile } : options.caller }
      : {}),
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
    options.releases === true,
  );
  // Only a Location to rewrite needs the public origin.
  const publicOrigin = () => options.publicOrigin ?? `${req.protocol}://${req.host}`;
  const added = options.answerHeaders?.(res.status);
  const length = Number(res.headers['content-length'] ?? Infinity);
  if (req.method !== 'HEAD' && !NO_BODY.has(res.status) && length <= BUFFER_UP_TO) {
    const body = await readAll(res.body);
    return sendBuffered(reply, res, publicOrigin, added, body);
  }
  void reply.status(res.status).headers(clientResponseHeaders(res.headers, res.instance, publicOrigin));
  if (added) void reply.headers(added);
  if (req.method === 'HEAD' || NO_BODY.has(res.status)) {
    res.body.resume();
    return reply.send();
  }
  return reply.send(res.body);
}

/**
 * A small answer, whole, written with one `writeHead` and one `end` past Fastify's reply pipeline
 * (content-type parsing, the onSend hooks, the length bookkeeping): the most common answer of all, and
 * that pipeline was a visible share of its CPU (bench/gateway). What the pipeline would have added is
 * added here: the headers set on the reply so far (request id, security headers, CORS), a content type
 * for a body without one, and its length. The reply is hijacked only once the head is accepted, so a
 * header Node refuses still ends in the error handler's problem+json; the access log and the metrics
 * come from the onResponse hooks, which run on the response's `finish` as for any reply.
 */
function sendBuffered(
  reply: FastifyReply,
  res: ServiceStreamResponse,
  publicOrigin: () => string,
  added: Record<string, string> | undefined,
  body: Buffer,
): FastifyReply {
  const head = clientResponseHeaders(res.headers, res.instance, publicOrigin, reply.getHeaders());
  if (added) Object.assign(head, added);
  head['content-type'] ??= 'application/octet-stream';
  head['content-length'] = String(body.length);
  reply.raw.writeHead(res.status, head);
  reply.hijack();
  reply.raw.end(body);
  return reply;
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
