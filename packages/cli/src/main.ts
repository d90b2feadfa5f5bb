import { ConfigError, createLogger, loadSettings, SERVICE_NAMES, type ServiceName } from '@marquee/core';
import { parseArgs } from 'node:util';
import { startPlatform } from './platform.js';

const USAGE = `usage:
  marquee start [--target=all|${SERVICE_NAMES.join('|')}]   run the platform (default: all, monolithic mode)
  marquee help`;

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { target: { type: 'string', default: 'all' } } });
  const target = values.target ?? 'all';
  if (target !== 'all' && !SERVICE_NAMES.includes(target as ServiceName)) {
    throw new ConfigError([`--target: must be all or one of ${SERVICE_NAMES.join(', ')} (got "${target}")`]);
  }
  const settings = loadSettings(process.env);
  const logger = createLogger({ level: settings.LOG_LEVEL, name: 'marquee' });
  const targets = target === 'all' ? [...SERVICE_NAMES] : [target as ServiceName];
  const platform = await startPlatform(settings, logger, targets);
  logger.info({ url: platform.gatewayUrl, targets }, 'Marquee is up');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and jobs');
    platform.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'start':
      return start(rest);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`marquee: ${err.message}`);
  } else {
    console.error(`marquee: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) console.error(err.stack);
  }
  process.exit(1);
});
