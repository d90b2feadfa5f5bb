import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { prettyLogs } from './logger.js';

const root = join(import.meta.dirname, '..', '..', '..');
const fixture = 'packages/core/src/logger.fixture.ts';
const runTs = 'packages/cli/bin/run-ts.mjs';

/** The fixture's output with stdout a pipe, or a pseudo-terminal made by util-linux `script`. */
function output(stdout: 'pipe' | 'tty', format?: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_FORMAT: format };
  if (stdout === 'pipe') return execFileSync('node', [runTs, fixture], { cwd: root, env, encoding: 'utf8' });
  return execFileSync('script', ['-qec', `node ${runTs} ${fixture}`, '/dev/null'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
}

describe('log format', () => {
  it('is readable on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(prettyLogs('auto', true)).toBe(true);
    expect(prettyLogs('auto', false)).toBe(false);
    expect(prettyLogs('json', true)).toBe(false);
    expect(prettyLogs('pretty', false)).toBe(true);
  });

  it('prints JSON lines through a pipe and readable lines on a pseudo-terminal', () => {
    const piped = JSON.parse(output('pipe').trim());
    expect(piped).toMatchObject({
      level: 30,
      service: 'marquee',
      msg: 'Marquee is up',
      url: 'http://127.0.0.1:8080',
    });

    const tty = stripVTControlCharacters(output('tty')); // whatever colours the terminal allows
    expect(tty).toMatch(/INFO.*\[marquee\] Marquee is up/);
    expect(tty).toMatch(/url: "http:\/\/127\.0\.0\.1:8080"/);
    expect(() => JSON.parse(tty.trim())).toThrow();
  });

  it('keeps JSON on a terminal with LOG_FORMAT=json', () => {
    expect(JSON.parse(output('tty', 'json').trim())).toMatchObject({ msg: 'Marquee is up' });
  });
}, 60_000);
