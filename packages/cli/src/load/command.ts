import { LOAD_USAGE, parseLoadOptions } from './options.js';
import { formatReport } from './report.js';
import { runLoad } from './run.js';

/** `marquee load …`: one run, live progress on stderr, the table (or `--json`) on stdout. */
export async function loadCommand(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage:\n${LOAD_USAGE}`);
    return;
  }
  const options = parseLoadOptions(argv);
  if (options.progress) {
    process.stderr.write(
      `marquee load: ${options.viewers} viewers for ${options.durationMs / 1000} s against ${options.base} (seed ${options.seed})\n`,
    );
  }
  const report = await runLoad(options);
  console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
  // A run that met errors says so in its exit status too (scripts and CI read it).
  if (report.errorCount > 0 || report.starts.playing === 0) process.exitCode = 1;
}
