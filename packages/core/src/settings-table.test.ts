import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { settingsTable } from './settings-table.js';
import { composeSettings } from './settings.js';

describe('settings table', () => {
  it('lists each variable in schema order with its default (— when none) and description', () => {
    const schema = composeSettings([
      { A_PORT: Type.Integer({ default: 80, description: 'a port' }) },
      { B_URL: Type.Optional(Type.String({ description: 'a URL' })) },
    ]);
    expect(settingsTable(schema)).toBe(
      [
        '| variable | default | what it does |',
        '| --- | --- | --- |',
        '| `A_PORT` | `80` | a port |',
        '| `B_URL` | — | a URL |',
      ].join('\n'),
    );
  });

  it('refuses a variable two fragments declare', () => {
    expect(() => composeSettings([{ A: Type.String() }, { A: Type.String() }])).toThrow(
      /A is declared by two/,
    );
  });
});
