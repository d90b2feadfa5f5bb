import type { TObject, TSchema } from '@sinclair/typebox';

/**
 * The README's configuration table, generated from the one settings schema (the CLI's composition of
 * every fragment) so the two cannot drift.
 */
export function settingsTable(schema: TObject): string {
  const rows = Object.entries(schema.properties as Record<string, TSchema>).map(([key, setting]) => {
    const def = setting.default === undefined ? '—' : `\`${String(setting.default)}\``;
    return `| \`${key}\` | ${def} | ${String(setting.description ?? '')} |`;
  });
  return ['| variable | default | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
