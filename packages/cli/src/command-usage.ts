/**
 * One command's part of the CLI usage text: its `  marquee <command>` lines and the indented lines that
 * follow them, so `marquee <command> --help` answers with that command alone. Every command keeps its
 * usage in the one text, where `marquee help` shows them all.
 */
export function commandUsage(usage: string, command: string): string | undefined {
  const lines = usage.split('\n');
  const out: string[] = [];
  let inCommand = false;
  for (const line of lines) {
    const head = /^ {2}marquee (\S+)/.exec(line);
    if (head) inCommand = head[1] === command;
    else if (!line.startsWith('   ')) inCommand = false;
    if (inCommand) out.push(line);
  }
  return out.length > 0 ? `usage:\n${out.join('\n')}` : undefined;
}

/** `--help` or `-h` anywhere among a command's arguments. */
export const asksForHelp = (argv: readonly string[]) => argv.includes('--help') || argv.includes('-h');
