// Prints one log line as `marquee start` would: the format decided by LOG_FORMAT and whether stdout is a
// terminal (logger.test.ts runs it under a pseudo-terminal and through a pipe).
import { createLogger, prettyLogs, type LogFormat } from './logger.js';

const format = (process.env.LOG_FORMAT ?? 'auto') as LogFormat;
const logger = createLogger({ name: 'marquee', pretty: prettyLogs(format, process.stdout.isTTY === true) });
logger.info({ url: 'http://127.0.0.1:8080' }, 'Marquee is up');
