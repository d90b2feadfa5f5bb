import { readFile, writeFile } from 'node:fs/promises';

/**
 * Replaces the `## <heading>` section of a markdown file (up to the next `## `), or appends it, so
 * the other benchmarks' sections in the same file are left as they are.
 */
export async function writeSection(path: string, heading: string, body: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  const lines = current.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  const section = [`## ${heading}`, '', ...body.trimEnd().split('\n'), ''];
  if (start === -1) {
    const trimmed = current.trimEnd();
    await writeFile(path, `${trimmed}\n\n${section.join('\n')}`);
    return;
  }
  let end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  if (end === -1) end = lines.length;
  const next = [...lines.slice(0, start), ...section, ...lines.slice(end)];
  await writeFile(path, `${next.join('\n').trimEnd()}\n`);
}

export const thousands = (n: number) => n.toLocaleString('en-US');
