import { describe, expect, it } from 'vitest';
import { droppedElsewhere } from './migrate.js';

describe('droppedElsewhere', () => {
  const missing = (schema: string) =>
    Object.assign(new Error(`schema "${schema}" does not exist`), { code: '3F000' });

  it('retries only for another schema vanishing during the scan', () => {
    expect(droppedElsewhere(missing('users_other'), 'users_mine')).toBe(true);
    expect(droppedElsewhere(missing('users_mine'), 'users_mine')).toBe(false);
    expect(droppedElsewhere(Object.assign(new Error('boom'), { code: '42P01' }), 'users_mine')).toBe(false);
    expect(droppedElsewhere(missing('users_other'), undefined)).toBe(false); // SQLite: no schemas
    expect(droppedElsewhere(undefined, 'users_mine')).toBe(false);
  });
});
