import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { isColorSupported, PinoPretty } from 'pino-pretty';
import { currentCorrelationId } from './context.js';

export type { Logger } from 'pino';

/** Paths that must never reach a log line. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'password',
  '*.password',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'token',
];

/** `LOG_FORMAT`: JSON lines, human-readable lines, or readable on a terminal and JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Whether lines are printed for a person: asked for, or `auto` and stdout is a terminal. A pipe, a
 * file or a log collector gets JSON lines (`npm start | cat` stays machine-readable).
 */
export function prettyLogs(format: LogFormat, stdoutIsTTY: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTTY);
}

/** Readable lines: time, level, the service, the message, then the fields (synchronous, like pino's default). */
function prettyStream(): DestinationStream {
  return PinoPretty({
    colorize: isColorSupported, // a terminal that has not asked for NO_COLOR
    sync: true,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    messageFormat: '{if service}[{service}] {end}{msg}',
  });
}

export function createLogger(
  options: { level?: string; name?: string; pretty?: boolean; destination?: DestinationStream } = {},
): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.name ? { service: options.name } : {},
    redact: { paths: REDACT, censor: '[redacted]' },
    // The correlation id is read from async context so every line of a request or event handler carries it.
    mixin() {
      const id = currentCorrelationId();
      return id ? { correlationId: id } : {};
    },
  };
  if (options.destination) return pino(opts, options.destination);
  return options.pretty ? pino(opts, prettyStream()) : pino(opts);
}
