import { ConfigError, createLogger, prettyLogs, SERVICE_NAMES, type ServiceName } from '@marquee/core';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { openDatabase } from '@marquee/platform';
import { createAdmin } from '@marquee/users';
import { openMediaTools } from '@marquee/encoder';
import { demoProgressLine, parseGeneratedAdmin, startBanner } from './banner.js';
import { loadDemoContent } from './demo/load.js';
import { ingest, login } from './ingest.js';
import { startPlatform } from './platform.js';
import { asksForHelp, commandUsage } from './command-usage.js';
import { BACKUP_USAGE, backupCommand, restoreCommand } from './backup/command.js';
import { loadCommand } from './load/command.js';
import { LOAD_USAGE } from './load/options.js';
import { CLUSTER_USAGE, clusterCommand } from './cluster/command.js';
import { CHAOS_USAGE, chaosCommand } from './chaos/command.js';
import { loadMarqueeSettings } from './settings.js';

const USAGE = `usage:
  marquee start [--target=all|<service>[,<service>…]]   run the platform (default: all, monolithic mode)
                                  services: ${SERVICE_NAMES.join(', ')}
  marquee ingest <file> --title "Name" [--gateway URL] [--email E --password P] [--maturity PG] [--genres a,b]
                 [--year N] [--synopsis S] [--resume <upload url>]
                                  create a title, upload its source (resumable) and follow encoding
  marquee admin create --email E --password P
                                  add an admin account (to the configured users database)
${LOAD_USAGE}
${CLUSTER_USAGE}
${CHAOS_USAGE}
${BACKUP_USAGE}
  marquee help`;

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { target: { type: 'string', default: 'all' } } });
  const targets = parseTargets(values.target ?? 'all');
  const settings = loadMarqueeSettings(process.env);
  const logger = createLogger({
    level: settings.LOG_LEVEL,
    name: 'marquee',
    pretty: prettyLogs(settings.LOG_FORMAT, process.stdout.isTTY === true),
  });
  // A person at a terminal gets a banner (URL, first admin, data dir) and demo progress on stdout; a
  // pipe gets log lines only, as before (the generated admin line is printed as it always was).
  const terminal = process.stdout.isTTY === true;
  const adminLines: string[] = [];
  const platform = await startPlatform(
    settings,
    logger,
    targets,
    terminal ? { printFirstAdmin: (line) => adminLines.push(line) } : {},
  );
  logger.info({ url: platform.gatewayUrl, targets }, 'Marquee is up');
  const demo = settings.MARQUEE_DEMO && targets.includes('streaming') && targets.includes('storage');
  if (terminal) {
    const generatedAdmin = adminLines.map(parseGeneratedAdmin).find((a) => a !== undefined);
    process.stdout.write(
      `${startBanner({
        url: platform.gatewayUrl,
        dataDir: platform.context.dataDir,
        ...(generatedAdmin ? { generatedAdmin } : {}),
      })}\n`,
    );
  }
  if (demo) {
    // In the background: the platform is ready now and the catalog fills in as titles finish encoding.
    const { context, urls } = platform;
    openMediaTools({
      ...(settings.FFMPEG_PATH ? { ffmpegPath: settings.FFMPEG_PATH } : {}),
      ...(settings.FFPROBE_PATH ? { ffprobePath: settings.FFPROBE_PATH } : {}),
      searchPath: settings.PATH,
    })
      .then((tools) =>
        loadDemoContent({
          ffmpeg: tools.binaries.ffmpeg,
          dataDir: context.dataDir,
          secret: context.secret,
          streamingUrl: urls.streaming[0]!,
          storageUrl: urls.storage[0]!,
          logger,
          ...(terminal
            ? {
                onEncoded: (done: number, total: number) =>
                  process.stdout.write(`${demoProgressLine(done, total)}\n`),
              }
            : {}),
        }),
      )
      .catch((err: unknown) => logger.error({ err }, 'demo content could not be loaded'));
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and jobs');
    // SIGTERM (an orchestrator, a rolling restart) drains first; Ctrl-C at a terminal stops at once.
    (signal === 'SIGTERM' ? platform.shutdown() : platform.close()).then(
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

async function ingestCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      title: { type: 'string' },
      gateway: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      maturity: { type: 'string' },
      genres: { type: 'string' },
      year: { type: 'string' },
      synopsis: { type: 'string' },
      resume: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || !values.title) throw new ConfigError(['usage: marquee ingest <file> --title "Name"']);
  const settings = loadMarqueeSettings(process.env);
  const gateway =
    values.gateway ??
    settings.MARQUEE_PUBLIC_URL ??
    `http://${settings.MARQUEE_HOST}:${settings.MARQUEE_PORT}`;
  const email = values.email ?? settings.MARQUEE_ADMIN_EMAIL;
  const password = values.password ?? settings.MARQUEE_ADMIN_PASSWORD;
  if (!email || !password) {
    throw new ConfigError([
      '--email/--password (or MARQUEE_ADMIN_EMAIL/MARQUEE_ADMIN_PASSWORD): an admin account is needed to ingest',
    ]);
  }
  const token = await login(gateway, email, password);
  const result = await ingest({
    file,
    title: values.title,
    gateway,
    token,
    ...(values.maturity ? { maturity: values.maturity } : {}),
    ...(values.genres ? { genres: values.genres.split(',').map((g) => g.trim()) } : {}),
    ...(values.year ? { year: Number(values.year) } : {}),
    ...(values.synopsis ? { synopsis: values.synopsis } : {}),
    ...(values.resume ? { uploadUrl: values.resume } : {}),
  });
  if (result.state !== 'ready') process.exitCode = 1;
}

/** `all`, one service, or a comma-separated list (e.g. run edges in their own processes). */
function parseTargets(raw: string): ServiceName[] {
  if (raw === 'all') return [...SERVICE_NAMES];
  const names = raw.split(',').map((t) => t.trim());
  const unknown = names.filter((n) => !SERVICE_NAMES.includes(n as ServiceName));
  if (unknown.length > 0 || names.length === 0) {
    throw new ConfigError([
      `--target: must be all or a comma-separated list of ${SERVICE_NAMES.join(', ')} (got "${raw}")`,
    ]);
  }
  return [...new Set(names as ServiceName[])];
}

async function adminCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, password: { type: 'string' } },
  });
  if (sub !== 'create' || !values.email || !values.password) {
    throw new ConfigError(['usage: marquee admin create --email E --password P']);
  }
  const settings = loadMarqueeSettings(process.env);
  const dataDir = resolve(settings.MARQUEE_DATA_DIR);
  const opened: { close(): Promise<void> }[] = [];
  try {
    const admin = await createAdmin(
      {
        openDb: async <DB>(service: ServiceName) => {
          const db = await openDatabase<DB>({ service, url: settings.DATABASE_URL, dataDir });
          opened.push(db);
          return db;
        },
      },
      { email: values.email, password: values.password },
    );
    console.log(`admin ${admin.email} created (account ${admin.accountId})`);
  } finally {
    await Promise.all(opened.map((d) => d.close()));
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command && asksForHelp(rest)) {
    const usage = commandUsage(USAGE, command);
    if (usage) return console.log(usage);
  }
  switch (command) {
    case 'start':
      return start(rest);
    case 'ingest':
      return ingestCommand(rest);
    case 'cluster':
      return clusterCommand(rest);
    case 'chaos':
      return chaosCommand(rest);
    case 'admin':
      return adminCommand(rest);
    case 'backup':
      return backupCommand(rest);
    case 'restore':
      return restoreCommand(rest);
    case 'load':
      return loadCommand(rest);
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
