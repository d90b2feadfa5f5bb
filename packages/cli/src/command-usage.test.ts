import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { commandUsage } from './command-usage.js';

const USAGE = `usage:
  marquee start [--target=all]   run the platform
                                  services: a, b
  marquee ingest <file> --title "Name"
                 [--year N]
                                  create a title
  marquee backup                  back up now
  marquee backup list             list backups
  marquee help`;

describe('commandUsage', () => {
  it("gives one command's lines with their continuation lines", () => {
    expect(commandUsage(USAGE, 'ingest')).toBe(
      'usage:\n  marquee ingest <file> --title "Name"\n                 [--year N]\n                                  create a title',
    );
  });
  it('gathers every form of a command', () => {
    expect(commandUsage(USAGE, 'backup')).toBe(
      'usage:\n  marquee backup                  back up now\n  marquee backup list             list backups',
    );
  });
  it('answers undefined for a command it does not know', () => {
    expect(commandUsage(USAGE, 'nope')).toBeUndefined();
  });
});

describe('marquee <command> --help', () => {
  it('prints that command’s usage and exits 0 (ingest once failed with "Unknown option")', () => {
    const bin = fileURLToPath(new URL('../bin/marquee.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'ingest', '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('marquee ingest <file>');
    expect(run.stdout).not.toContain('marquee start');
  }, 120_000); // the CLI compiles its TypeScript on start: slow on a busy machine
});
