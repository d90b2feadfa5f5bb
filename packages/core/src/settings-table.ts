import type { TSchema } from '@sinclair/typebox';
import { settingsSchema } from './settings.js';

/** The README's configuration table, generated from the one settings schema so the two cannot drift. */
export function settingsTable(): string {
  const rows = Object.entries(settingsSchema.properties as Record<string, TSchema>).map(([key, schema]) => {
    const def = schema.default === undefined ? '—' : `\`${String(schema.default)}\``;
    return `| \`${key}\` | ${def} | ${String(schema.description ?? '')} |`;
  });
  return ['| variable | default | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
