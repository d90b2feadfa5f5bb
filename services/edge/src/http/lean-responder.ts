import { STATUS_CODES, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ServiceMetrics } from '@marquee/core';
import type { MediaAnswer, MediaAnswerer } from './media-answer.js';
import { observeMediaRequest } from './media-routes.js';
import { parseRequestHead } from './request-head.js';

/**
 * The edge's own HTTP/1.1 responder for viewers' media requests, in front of Node's `http` server.
 *
 * Why not Node's `http` alone: bench/edge measured Node's request and response machinery (parser
 * callbacks, IncomingMessage, ServerResponse, header validation, stream bookkeeping) at about a sixth
 * of the rate for 1 MiB segments on this machine — a bare `net` server writing the same bytes did
 * 1.17–1.27× the requests of a bare `http` server — and that was most of what separated the edge from
 * nginx. So the one request shape a player sends thousands of times — `GET`/`HEAD` of a media path,
 * HTTP/1.1, no body — is parsed strictly here (request-head.ts) and answered with one `writev`:
 * the status line, a per-second Date line, the object's pre-rendered header block and its bytes.
 *
 * Everything else is handed to Node untouched: the first request that is not that shape (metrics,
 * health, a CORS preflight, HTTP/1.0, a body, a malformed or oversized head) gives the connection,
 * with the bytes already read put back, to the `http` server for good, which then parses, answers or
 * rejects it exactly as it would have. Keep-alive, pipelining (in order, one at a time), write
 * backpressure, the idle and head timeouts, `Connection: close`, the drain and shutdown are handled here.
 */
export class LeanResponder {
  private readonly sockets = new Set<LeanConnection>();
  private readonly rendered = new WeakMap<
    OutgoingHttpHeaders,
    { block: Buffer; second: number; head: Buffer }
  >();
  private dateSecond = 0;
  private dateLine = Buffer.alloc(0);

  constructor(
    private readonly options: {
      answer: MediaAnswerer;
      metrics: ServiceMetrics;
      /** True once the server is shutting down: new requests go to Node (Fastify answers 503). */
      closing: () => boolean;
      /**
       * True while the server drains before closing (drain.ts): media is still answered, each answer the
       * connection's last (`Connection: close`), so players reconnect — elsewhere once steering moved.
       */
      draining?: () => boolean;
      /** Node's own connection listener for this server: where handed-off connections go. */
      handOff: (socket: Socket) => void;
      server: Server;
    },
  ) {}

  /** Takes a new connection (plain TCP, or TLS once its handshake is done). */
  accept(socket: Socket): void {
    const connection = new LeanConnection(socket, this);
    this.sockets.add(connection);
    socket.once('close', () => this.sockets.delete(connection));
  }

  /** Ends connections waiting for their next request (shutdown: Fastify's forceCloseConnections). */
  closeIdle(): void {
    for (const connection of this.sockets) connection.closeIfIdle();
  }

  /** Ends every connection at once. */
  closeAll(): void {
    for (const connection of this.sockets) connection.socket.destroy();
  }

  /** @internal */
  get answer(): MediaAnswerer {
    return this.options.answer;
  }

  /** @internal */
  get closing(): boolean {
    return this.options.closing();
  }

  /** @internal */
  get draining(): boolean {
    return this.options.draining?.() ?? false;
  }

  /** @internal */
  get timeouts(): { idleMs: number; headMs: number } {
    const { keepAliveTimeout, headersTimeout } = this.options.server;
    return { idleMs: keepAliveTimeout || 5_000, headMs: headersTimeout || 60_000 };
  }

  /** @internal */
  handOff(connection: LeanConnection): void {
    this.sockets.delete(connection);
    this.options.handOff(connection.socket);
  }

  /** @internal Writes one answer as a single writev; false when the socket wants to drain first. */
  write(socket: Socket, answer: MediaAnswer, head: boolean, close: boolean, started: number): boolean {
    const { status, headers, body } = answer;
    socket.cork();
    if (status === 200 && !close && Object.isFrozen(headers)) {
      // A RAM hit: status line, date and headers are one Buffer, remade once a second.
      socket.write(this.wholeHead(headers));
    } else {
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`, 'latin1');
      socket.write(this.date());
      if (close) socket.write('connection: close\r\n', 'latin1');
      socket.write(renderHeaders(headers));
    }
    if (body && !head) socket.write(body);
    socket.uncork();
    observeMediaRequest(this.options.metrics, head ? 'HEAD' : 'GET', status, started);
    return !socket.writableNeedDrain;
  }

  /** The whole head of a 200 with a frozen (per-object) header set. */
  private wholeHead(headers: OutgoingHttpHeaders): Buffer {
    const date = this.date();
    let known = this.rendered.get(headers);
    if (!known) {
      known = { block: renderHeaders(headers), second: -1, head: OK };
      this.rendered.set(headers, known);
    }
    if (known.second !== this.dateSecond) {
      known.head = Buffer.concat([OK, date, known.block]);
      known.second = this.dateSecond;
    }
    return known.head;
  }

  /** `date: …\r\n` for the current second (RFC 9110 §6.6.1: an origin server with a clock sends it). */
  private date(): Buffer {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateLine = Buffer.from(`date: ${new Date(now).toUTCString()}\r\n`, 'latin1');
    }
    return this.dateLine;
  }
}

const OK = Buffer.from('HTTP/1.1 200 OK\r\n', 'latin1');

/** A header block, blank line included. */
function renderHeaders(headers: OutgoingHttpHeaders): Buffer {
  let text = '';
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const line = `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`;
    // Values are the edge's own or came through undici's parser; never let one split the head.
    if (!/[\r\n]/.test(line)) text += `${line}\r\n`;
  }
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** One client connection while the lean responder has it. */
class LeanConnection {
  private pending: Buffer | undefined;
  /** An answer is being produced or written; later requests wait in `pending`. */
  private busy = false;
  private closeAfter = false;
  private headTimer: NodeJS.Timeout | undefined;
  private readonly onData = (chunk: Buffer) => this.received(chunk);
  private readonly onDrain = () => this.drained();
  private readonly onError = () => this.socket.destroy();
  private readonly onIdle = () => this.socket.destroy();
  /** The client has sent its last byte (Node's server allows half-open connections). */
  private peerEnded = false;
  private readonly onEnd = () => {
    this.peerEnded = true;
    this.serve();
  };

  constructor(
    readonly socket: Socket,
    private readonly responder: LeanResponder,
  ) {
    socket.setTimeout(responder.timeouts.idleMs);
    socket.on('timeout', this.onIdle);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('drain', this.onDrain);
    socket.on('end', this.onEnd);
    socket.once('close', () => clearTimeout(this.headTimer));
  }

  closeIfIdle(): void {
    if (!this.busy && !this.pending) this.socket.end();
  }

  private received(chunk: Buffer): void {
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.busy) this.serve();
  }

  private drained(): void {
    if (this.busy) return;
    this.socket.resume();
    this.serve();
  }

  /**
   * Answers the requests in `pending`, in order, until one must wait or none is complete; once the
   * client has ended its side and everything it sent is answered, ends ours.
   */
  private serve(): void {
    if (this.answerPending() === 'idle' && this.peerEnded && !this.socket.destroyed) this.socket.end();
  }

  /**
   * `idle`: nothing complete is left to answer; `waiting`: an answer is on its way or the socket is
   * draining; `released`: the connection was handed to Node or is closing.
   */
  private answerPending(): 'idle' | 'waiting' | 'released' {
    while (this.pending) {
      if (this.busy) return 'waiting';
      if (this.socket.destroyed) return 'released';
      if (this.responder.closing) return this.handOff();
      const head = parseRequestHead(this.pending);
      if (head.kind === 'handoff') return this.handOff();
      if (head.kind === 'incomplete') {
        this.awaitHead();
        return 'idle';
      }
      clearTimeout(this.headTimer);
      this.headTimer = undefined;
      this.pending = head.length < this.pending.length ? this.pending.subarray(head.length) : undefined;
      this.closeAfter = head.close;
      const started = performance.now();
      const answered = this.responder.answer(head);
      const isHead = head.method === 'HEAD';
      if (answered instanceof Promise) {
        this.busy = true;
        this.socket.pause();
        answered.then(
          (answer) => this.finish(answer, isHead, started),
          () => this.socket.destroy(), // answer() turns every failure into a problem; not reached
        );
        return 'waiting';
      }
      const next = this.respond(answered, isHead, started);
      if (next !== 'more') return next;
    }
    return this.busy ? 'waiting' : 'idle';
  }

  private finish(answer: MediaAnswer, head: boolean, started: number): void {
    this.busy = false;
    if (this.socket.destroyed) return;
    if (this.respond(answer, head, started) !== 'more') return;
    this.socket.resume();
    this.serve();
  }

  /** Writes the answer; then more may be served now, or the socket drains first, or it is closing. */
  private respond(answer: MediaAnswer, head: boolean, started: number): 'more' | 'waiting' | 'released' {
    // Shutdown (or its drain) may have begun while an answer was on its way: that answer is the last.
    const close = this.closeAfter || this.responder.closing || this.responder.draining;
    const flowing = this.responder.write(this.socket, answer, head, close, started);
    if (close) {
      this.pending = undefined;
      this.socket.end();
      return 'released';
    }
    if (!flowing) {
      this.socket.pause(); // resumed on 'drain'
      return 'waiting';
    }
    return 'more';
  }

  /** A head has started to arrive but not ended: it must end within the head timeout. */
  private awaitHead(): void {
    if (this.headTimer || !this.pending) return;
    this.headTimer = setTimeout(() => this.socket.destroy(), this.responder.timeouts.headMs);
    this.headTimer.unref();
  }

  private handOff(): 'released' {
    clearTimeout(this.headTimer);
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('drain', this.onDrain);
    socket.off('error', this.onError);
    socket.off('timeout', this.onIdle);
    socket.setTimeout(0);
    socket.pause();
    if (this.pending) socket.unshift(this.pending);
    this.pending = undefined;
    this.responder.handOff(this);
    socket.resume();
    return 'released';
  }
}
