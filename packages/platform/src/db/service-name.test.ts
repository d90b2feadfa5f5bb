import { describe, expect, it } from 'vitest';
import { assertServiceName } from './service-name.js';

describe('assertServiceName', () => {
  it('accepts lower-case identifiers usable as a file and a schema name', () => {
    for (const name of ['users', 'recommender', 'marquee_probe', 'test_mi9x2k_a1b2c3', 'a'.repeat(63)]) {
      expect(assertServiceName(name)).toBe(name);
    }
  });

  it('refuses anything that needs quoting, could traverse paths, or is reserved', () => {
    for (const name of [
      '',
      'Users',
      '1users',
      'users-db',
      '../etc',
      'a b',
      'users;drop',
      'a'.repeat(64),
      'pg_catalog',
      'public',
      'information_schema',
    ]) {
      expect(() => assertServiceName(name), name).toThrow(/service name/);
    }
  });
});
