import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';

/** What both of the server's request shapes offer the edge's listener. */
export type EdgeListener = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

/**
 * The methods Fastify's close() calls on the server it was given (its serverFactory) and the lean
 * responder reads: Node's https server has them; an HTTP/2 server has neither the connection
 * closers nor, for its HTTP/1.1 side, the keep-alive timeout.
 */
export interface EdgeH2Server extends Http2SecureServer {
  keepAliveTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
  closeIdleConnections(): void;
  closeAllConnections(): void;
  /** Fastify calls it on close when the server has it: every session is told GOAWAY. */
  closeHttp2Sessions(): void;
}

/**
 * The edge's TLS server with HTTP/2 (issue 23 §2): ALPN offers `h2` and `http/1.1`
 * (`allowHTTP1`), so a browser fetches an edge's playlists and segments as streams of one connection
 * after one handshake, while clients that speak only HTTP/1.1 (ffmpeg, wrk, curl --http1.1) are
 * served as before. Both reach `listener` with Node's compatibility request and response; the
 * caller puts the lean HTTP/1.1 responder in front of the `secureConnection`s that did not
 * negotiate h2 (index.ts), as it does on the https server.
 *
 * Node's HTTP/2 server tracks its HTTP/1.1 connections as the http server does (allowHTTP1 sets that
 * up when it listens), so http.Server's closers work on it; its HTTP/2 sessions are kept here. An
 * idle session is closed after `idleMs` of silence, as an HTTP/1.1 keep-alive connection is.
 */
export function createEdgeH2Server(
  tls: { cert: Buffer; key: Buffer },
  idleMs: number,
  listener: EdgeListener,
): EdgeH2Server {
  const server = createSecureServer(
    { cert: tls.cert, key: tls.key, allowHTTP1: true },
    listener as (req: Http2ServerRequest, res: Http2ServerResponse) => void,
  ) as EdgeH2Server;
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.setTimeout(idleMs, () => session.close());
  });
  const http1 = HttpServer.prototype;
  server.closeIdleConnections = () => {
    http1.closeIdleConnections.call(server as unknown as HttpServer);
    // GOAWAY: a session takes no new stream and closes once its open ones have finished.
    for (const session of sessions) session.close();
  };
  server.closeAllConnections = () => {
    http1.closeAllConnections.call(server as unknown as HttpServer);
    for (const session of sessions) session.destroy();
  };
  server.closeHttp2Sessions = () => {
    for (const session of sessions) session.close();
  };
  return server;
}
