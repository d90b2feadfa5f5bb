import type { IncomingHttpHeaders } from 'node:http';

/**
 * The request heads the edge's lean responder answers itself: `GET` or `HEAD` of a media path over
 * HTTP/1.1, no body, nothing to upgrade, every line well formed. Anything else — another method or
 * path, HTTP/1.0, a body, `Expect`, a duplicated header that matters, an odd byte anywhere — is
 * `handoff`: Node's own HTTP parser takes the connection from there and answers it as it would any
 * request (400 and 431 included), so the lean path never has to be lenient.
 */
export type RequestHead =
  | { kind: 'incomplete' }
  | { kind: 'handoff' }
  | {
      kind: 'request';
      method: 'GET' | 'HEAD';
      url: string;
      headers: IncomingHttpHeaders;
      /** The client asked to close the connection after this response. */
      close: boolean;
      /** Bytes of the head, blank line included: where the next pipelined request starts. */
      length: number;
    };

/** What Node's parser allows by default (--max-http-header-size); past it Node answers 431. */
export const MAX_HEAD_BYTES = 16 * 1024;

const END = Buffer.from('\r\n\r\n');
const LF_END = Buffer.from('\n\n');
const REQUEST_LINE = /^(GET|HEAD) (\/t\/[!-~]+) HTTP\/1\.1$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
/** Control characters other than horizontal tab, and DEL: never in a header value. */
// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** Headers whose presence means a body, an upgrade or an expectation: Node's parser handles those. */
const HANDED_OFF = new Set(['content-length', 'transfer-encoding', 'expect', 'upgrade']);
/** Headers the answer depends on: sent twice, they are ambiguous, and Node decides. */
const SINGLE = new Set(['host', 'range', 'if-range', 'if-none-match', 'connection']);

/** Parses the head at the start of `buffer` (latin1: a head is bytes, not UTF-8). */
export function parseRequestHead(buffer: Buffer): RequestHead {
  const end = buffer.indexOf(END);
  if (end < 0) {
    // A head ended by bare LFs (which Node accepts) would never end here: let Node have it.
    if (buffer.length > MAX_HEAD_BYTES || buffer.includes(LF_END)) return { kind: 'handoff' };
    return { kind: 'incomplete' };
  }
  if (end + END.length > MAX_HEAD_BYTES) return { kind: 'handoff' };
  const lines = buffer.toString('latin1', 0, end).split('\r\n');
  const request = REQUEST_LINE.exec(lines[0]!);
  if (!request) return { kind: 'handoff' };
  const headers: IncomingHttpHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const header = HEADER_LINE.exec(lines[i]!);
    if (!header || BAD_VALUE.test(header[2]!)) return { kind: 'handoff' };
    const name = header[1]!.toLowerCase();
    if (HANDED_OFF.has(name)) return { kind: 'handoff' };
    const previous = headers[name];
    if (previous !== undefined) {
      if (SINGLE.has(name) || Array.isArray(previous)) return { kind: 'handoff' };
      headers[name] = `${previous}, ${header[2]!}`;
    } else {
      headers[name] = header[2]!;
    }
  }
  // HTTP/1.1 requires Host (RFC 9112 §3.2); Node answers its absence with 400.
  if (headers.host === undefined) return { kind: 'handoff' };
  const connection = headers.connection?.toLowerCase().split(',') ?? [];
  const tokens = connection.map((t) => t.trim());
  if (tokens.includes('upgrade')) return { kind: 'handoff' };
  return {
    kind: 'request',
    method: request[1] as 'GET' | 'HEAD',
    url: request[2]!,
    headers,
    close: tokens.includes('close'),
    length: end + END.length,
  };
}
