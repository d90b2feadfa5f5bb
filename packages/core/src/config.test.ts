import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';
import { loadSettings } from './settings.js';

const schema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  DEBUG: Type.Boolean({ default: false }),
  NAME: Type.Optional(Type.String({ minLength: 2 })),
});

describe('parseConfig', () => {
  it('applies defaults and converts strings to the declared types', () => {
    const config = parseConfig(schema, { PORT: '9000', DEBUG: 'true' });
    expect(config).toEqual({ PORT: 9000, DEBUG: true });
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig(schema, { PORT: '', NAME: '' })).toEqual({ PORT: 8080, DEBUG: false });
  });

  it('reports every bad key in one error, with the value given', () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: 'abc', NAME: 'x', DEBUG: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT: .*"abc"/);
    expect(problems).toMatch(/NAME: .*"x"/);
    expect(problems).toMatch(/DEBUG: .*"maybe"/);
  });

  it('freezes the result', () => {
    const config = parseConfig(schema, {});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('ignores variables the schema does not name', () => {
    expect(parseConfig(schema, { OTHER: 'x' })).toEqual({ PORT: 8080, DEBUG: false });
  });
});

describe('loadSettings', () => {
  it('accepts an empty environment (monolithic defaults)', () => {
    const s = loadSettings({});
    expect(s.MARQUEE_PORT).toBe(8080);
    expect(s.MARQUEE_DATA_DIR).toBe('./data');
    expect(s.DATABASE_URL).toBeUndefined();
  });

  it('rejects malformed URLs and ports together', () => {
    expect(() =>
      loadSettings({ DATABASE_URL: 'mysql://x', MARQUEE_PORT: '70000', REDIS_URL: 'http://x' }),
    ).toThrow(/DATABASE_URL[\s\S]*MARQUEE_PORT[\s\S]*REDIS_URL|MARQUEE_PORT[\s\S]*DATABASE_URL/);
  });
});
