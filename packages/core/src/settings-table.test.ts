import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsTable } from './settings-table.js';

describe('README configuration table', () => {
  it('matches the settings schema (regenerate with `npm run config:table`)', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(settingsTable());
  });
});
