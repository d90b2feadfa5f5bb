import { readFile, writeFile } from 'node:fs/promises';

/** The `### <heading>` subsection of `## <section>` in the markdown `text` (heading line included), or ''. */
export function subsection(text: string, section: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${section}`);
  if (start < 0) return '';
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  const at = lines.findIndex((l, i) => i > start && i < end && l.trim() === `### ${heading}`);
  if (at < 0) return '';
  let subEnd = lines.findIndex((l, i) => i > at && (l.startsWith('## ') || l.startsWith('### ')));
  if (subEnd < 0) subEnd = lines.length;
  return lines.slice(at, subEnd).join('\n').trimEnd();
}

/** Replaces (or adds at the end of `## <section>`) the `### <heading>` subsection, up to the next heading. */
export async function writeSubsection(
  path: string,
  section: string,
  heading: string,
  body: string,
): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${section}`);
  if (start < 0) throw new Error(`${path} has no ## ${section}`);
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  const sub = [`### ${heading}`, '', ...body.trimEnd().split('\n'), ''];
  const at = lines.findIndex((l, i) => i > start && i < end && l.trim() === `### ${heading}`);
  if (at < 0) {
    lines.splice(end, 0, ...sub);
  } else {
    let subEnd = lines.findIndex((l, i) => i > at && (l.startsWith('## ') || l.startsWith('### ')));
    if (subEnd < 0) subEnd = lines.length;
    lines.splice(at, subEnd - at, ...sub);
  }
  await writeFile(path, `${lines.join('\n').trimEnd()}\n`);
}
