import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessClaims } from '@marquee/users';
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
}

const NO_BODY = new Set([204, 304]);

/**
 * Proxies one request to `upstream` with the public path unchanged: identity and service token added,
 * client-sent internal headers dropped, both bodies streamed. A client that goes away aborts the
 * upstream call too, so a dropped upload does not keep storage busy.
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

  const aborted = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) aborted.abort();
  });
  const res = await upstream.stream(
    req.method,
    req.url,
    {
      headers,
      body: options.body,
      signal: aborted.signal,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
    !options.upload,
  );
  void reply.status(res.status).headers(clientResponseHeaders(res.headers, res.instance, publicOrigin));
  if (req.method === 'HEAD' || NO_BODY.has(res.status)) {
    res.body.resume();
    return reply.send();
  }
  return reply.send(res.body);
}
