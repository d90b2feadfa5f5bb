import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type onResponseHookHandler,
} from 'fastify';
import type { Logger } from 'pino';
import { acceptOrMintId, CORRELATION_HEADER, runWithContext } from './context.js';
import { DomainError } from './errors.js';
import { ProblemCatalogue, type ProblemCodes } from './problem.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { buildOpenApi, collectRoutes, type OpenApiDocument } from './openapi.js';
import { installDrain } from './drain.js';

/**
 * Route config (`{ config: { accessLog: 'debug' } }`) for routes whose per-request access line is
 * internal chatter — origin fetches, heartbeats — so it shows only with LOG_LEVEL=debug.
 */
export interface AccessLogConfig {
  accessLog?: 'debug' | 'info';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    accessLog?: AccessLogConfig['accessLog'];
  }
}

/** The route config of internal chatter: its access lines at debug. */
export const QUIET_ACCESS_LOG: AccessLogConfig = { accessLog: 'debug' };

export type ReadinessCheck = () => Promise<boolean | string> | boolean | string;

export interface ServiceServerOptions {
  /** Service name: appears in logs, metrics and /healthz. */
  name: string;
  logger: Logger;
  /** Named checks for /readyz; each answers true when ready, or a string saying why not. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Replaces the named checks with a whole /readyz answer (the gateway aggregates every service's
   * readiness in its own shape): 200 when `ready`, else 503, with `body` either way. The named checks
   * still answer /readyz/self.
   */
  readinessReport?: () => Promise<{ ready: boolean; body: Record<string, unknown> }>;
  bodyLimit?: number;
  /**
   * How code learns the request's correlation id. `context` (the default): every handler runs in an
   * AsyncLocalStorage context, so outbound calls and events made anywhere carry it, and log lines get
   * it from the logger's mixin. `explicit`: no context — on Node 20 AsyncLocalStorage's promise hooks,
   * once enabled, run on every promise of the process (a visible share of a proxy's CPU) — so the
   * request's logger is bound to the id once, and the service passes `req.id` on to its calls itself
   * (the gateway does).
   */
  correlation?: 'context' | 'explicit';
  /** Extra Fastify options (e.g. https). */
  fastify?: Partial<FastifyServerOptions>;
  /** The problem codes the service answers besides core's: platform's and its own `app/problems.ts`. */
  problems?: readonly ProblemCodes[];
}

export interface ServiceServer {
  app: FastifyInstance;
  metrics: ServiceMetrics;
  /** Adds a readiness check after construction (e.g. once a consumer has started). */
  addReadiness: (name: string, check: ReadinessCheck) => void;
}

type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A request's logger in `explicit` mode: a pino child with the correlation id bound (Fastify binds it
 * as reqId; the mixin's name is kept), made only when something logs through it. Most requests log
 * nothing but their access line, which is written from the service's logger with the same fields, and a
 * child per request (its bindings serialised, its object made) was a share of a proxied call's CPU
 * (bench/gateway). A route with its own log level gets its child at once.
 */
class RequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bound: Record<string, unknown>,
    private readonly opts: ChildOptions,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child({ ...this.bound, correlationId: this.bound.reqId }, this.opts));
  }

  private write(level: LevelName, args: unknown[]): void {
    const logger = this.logger;
    (logger[level] as (...a: unknown[]) => void).apply(logger, args);
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }
  set level(level: string) {
    this.logger.level = level;
  }
  isLevelEnabled(level: string): boolean {
    return ((this.made ?? this.parent) as Logger).isLevelEnabled(level);
  }
  bindings(): Record<string, unknown> {
    return { ...this.bound, correlationId: this.bound.reqId };
  }
  child(bindings: Record<string, unknown>, opts?: ChildOptions): FastifyBaseLogger {
    return this.logger.child(bindings, opts);
  }
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(...args: unknown[]): void {
    this.write('silent', args);
  }
}

const bindCorrelationId = (
  logger: FastifyBaseLogger,
  bindings: Record<string, unknown>,
  opts: ChildOptions,
): FastifyBaseLogger =>
  opts?.level === undefined
    ? (new RequestLogger(logger, bindings, opts) as unknown as FastifyBaseLogger)
    : logger.child({ ...bindings, correlationId: bindings.reqId }, opts);

/** Hides the token segment of signed media paths (`/t/<token>/…`) and query secrets from access logs. */
export function redactUrl(url: string): string {
  return url
    .replace(/\/t\/[^/]+\//, '/t/[redacted]/')
    .replace(/([?&](?:token|signature|sig|access_token|refresh_token)=)[^&]*/gi, '$1[redacted]');
}

/**
 * The Fastify factory every service uses: request ids, structured access logs, problem+json errors,
 * /healthz, /readyz, /metrics and /openapi.json (generated from the routes' TypeBox schemas, for the
 * gateway to merge into /api/openapi.json), and the drain phase of a graceful shutdown (drain.ts). It
 * only builds; the caller decides whether to listen() or inject().
 */
export function createServiceServer(options: ServiceServerOptions): ServiceServer {
  const checks = new Map<string, ReadinessCheck>(Object.entries(options.readiness ?? {}));
  const explicit = options.correlation === 'explicit';
  const app = Fastify({
    loggerInstance: options.logger,
    // Our own onResponse hook writes one access line per request, with the media token redacted.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // genReqId validates the incoming id itself; Fastify's requestIdHeader would trust any value.
    requestIdHeader: false,
    genReqId: (req) => acceptOrMintId(req.headers[CORRELATION_HEADER]),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    // Without a context the mixin has no id to add: the request's logger carries it as a binding.
    ...(explicit ? { childLoggerFactory: bindCorrelationId } : {}),
    ...options.fastify,
  }) as unknown as FastifyInstance;
  installDrain(app);
  const metrics = createMetrics(options.name);
  const problems = new ProblemCatalogue(...(options.problems ?? []));
  // First, so that every route declared from here on is documented.
  const documented = collectRoutes(app);
  let openApi: OpenApiDocument | undefined;

  // Every handler runs inside the request's correlation context so outbound calls and events carry it
  // (unless the service passes the id on itself).
  app.addHook('onRequest', (req, reply, done) => {
    reply.header(CORRELATION_HEADER, req.id);
    (req as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
    if (explicit) done();
    else runWithContext({ correlationId: req.id }, done);
  });

  /**
   * Each request's duration in the histogram and its access line, recorded by a hook prepared per route
   * (its pattern, its access line's level) — reading `req.routeOptions`, which Fastify builds anew on
   * every read, cost a proxied call a visible share of its CPU; requests no route matched are recorded
   * by the one global hook below.
   */
  const NO_ACCESS_LINE = new Set(['/metrics', '/healthz', '/readyz', '/readyz/self']);
  const record = (
    req: FastifyRequest,
    reply: FastifyReply,
    route: string,
    level: 'debug' | 'info' | undefined,
    ownLevel: boolean,
  ) => {
    const started = (req as { startedAt?: bigint }).startedAt ?? process.hrtime.bigint();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, seconds);
    // Internal chatter (origin fetches, heartbeats) logs at debug: per request it would drown the rest.
    if (level === undefined) return;
    const line = {
      method: req.method,
      url: redactUrl(req.url),
      status: reply.statusCode,
      ms: Math.round(seconds * 1000),
    };
    if (explicit && !ownLevel) {
      // The request's own child logger would add exactly these two bindings: write from the parent.
      if (options.logger.isLevelEnabled(level))
        options.logger[level]({ reqId: req.id, correlationId: req.id, ...line }, 'request');
    } else if ((req.log as Logger).isLevelEnabled(level)) {
      req.log[level](line, 'request');
    }
  };
  app.addHook('onRoute', (route) => {
    const url = route.url ?? 'unmatched';
    const level = NO_ACCESS_LINE.has(url) ? undefined : (route.config?.accessLog ?? 'info');
    const ownLevel = route.logLevel !== undefined;
    const recordRoute: onResponseHookHandler = (req, reply, done) => {
      record(req, reply, url, level, ownLevel);
      done();
    };
    route.onResponse = route.onResponse
      ? [...(Array.isArray(route.onResponse) ? route.onResponse : [route.onResponse]), recordRoute]
      : [recordRoute];
  });
  app.addHook('onResponse', (req, reply, done) => {
    if (req.is404) record(req, reply, 'unmatched', 'info', false);
    done();
  });

  app.setErrorHandler((error: FastifyError | DomainError | Error, req, reply) => {
    let body;
    if (error instanceof DomainError) {
      body = problems.toProblem(error, req.url);
    } else if ('validation' in error && error.validation) {
      body = problems.problem(
        'validation',
        `${error.validationContext ?? 'request'} ${error.message.replace(/^(body|querystring|params|headers)\s*/, '')}`,
        {
          errors: error.validation.map((v) => ({ path: v.instancePath || '/', message: v.message })),
        },
      );
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      const code =
        error.statusCode === 413
          ? 'payload_too_large'
          : error.statusCode === 404
            ? 'not_found'
            : 'bad_request';
      body = problems.problem(code, error.message);
      body.status = error.statusCode;
    } else {
      req.log.error({ err: error }, 'unhandled error');
      body = problems.problem(
        'internal',
        'An internal error occurred; it has been logged with the request id.',
        {
          requestId: req.id,
        },
      );
    }
    void reply.status(body.status).type('application/problem+json').send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const body = problems.problem(
      'not_found',
      `No route for ${req.method} ${redactUrl(req.url.split('?')[0] ?? '')}`,
    );
    void reply.status(404).type('application/problem+json').send(body);
  });

  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok', service: options.name }));

  const ownReadiness = async () => {
    const results: Record<string, true | string> = {};
    await Promise.all(
      [...checks].map(async ([name, check]) => {
        try {
          const r = await check();
          results[name] = r === true ? true : typeof r === 'string' ? r : 'not ready';
        } catch (err) {
          results[name] = err instanceof Error ? err.message : String(err);
        }
      }),
    );
    // A replica draining for shutdown leaves its callers' rotation whatever its checks say.
    if (app.draining) results.draining = 'shutting down: draining';
    const ready = Object.values(results).every((r) => r === true);
    return { ready, body: { status: ready ? 'ready' : 'not_ready', service: options.name, checks: results } };
  };

  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
    const report = await (options.readinessReport ?? ownReadiness)();
    return reply.status(report.ready && !app.draining ? 200 : 503).send(report.body);
  });

  // "This process can serve", never what it depends on: the probe for Kubernetes' readiness and load
  // balancers. A readiness that aggregates upstreams (the gateway's /readyz) pulls every replica out of
  // rotation when one upstream is down — a cascading failure; it stays at /readyz for people.
  app.get('/readyz/self', { logLevel: 'warn' }, async (_req, reply) => {
    const report = await ownReadiness();
    return reply.status(report.ready ? 200 : 503).send(report.body);
  });

  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Routes are fixed once the app is ready, so the document is built once, on first request.
  app.get('/openapi.json', { logLevel: 'warn', config: { openapi: false } }, async () => {
    openApi ??= buildOpenApi(documented, { title: `Marquee ${options.name}`, version: '1' });
    return openApi;
  });

  return { app, metrics, addReadiness: (name, check) => void checks.set(name, check) };
}
