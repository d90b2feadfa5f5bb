import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SECURITY_HEADERS } from './media-answer.js';

/** Statuses Node's server answers a request it could not parse with, by parser error code. */
const STATUS_OF: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

const SECURITY_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/**
 * Answers requests Node's parser rejects as Node itself would (same status, then the connection
 * closes), with the edge's security headers, so that no answer of an edge goes without them. Without
 * a `clientError` listener Node writes a bare status line; with one, writing is the listener's job.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const [status, text] = STATUS_OF[err.code ?? ''] ?? [400, 'Bad Request'];
      socket.write(
        `HTTP/1.1 ${status} ${text}\r\n${SECURITY_LINES}content-length: 0\r\nconnection: close\r\n\r\n`,
        'latin1',
      );
    }
    socket.destroy(err);
  });
}
