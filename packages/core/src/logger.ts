import { pino, type Logger, type LoggerOptions } from 'pino';
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

export function createLogger(options: { level?: string; name?: string; pretty?: boolean } = {}): Logger {
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
  return pino(opts);
}
