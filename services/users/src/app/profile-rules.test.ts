import { describe, expect, it } from 'vitest';
import { decideProfileSettings, defaultProfileName, normaliseProfileName } from './profile-rules.js';

describe('profile settings', () => {
  it('defaults adults to NC-17 and kids to PG', () => {
    expect(decideProfileSettings({})).toEqual({ ok: true, settings: { kids: false, maxMaturity: 'NC-17' } });
    expect(decideProfileSettings({ kids: true })).toEqual({
      ok: true,
      settings: { kids: true, maxMaturity: 'PG' },
    });
    expect(decideProfileSettings({ kids: true, maxMaturity: 'G' })).toEqual({
      ok: true,
      settings: { kids: true, maxMaturity: 'G' },
    });
    expect(decideProfileSettings({ maxMaturity: 'PG-13' })).toEqual({
      ok: true,
      settings: { kids: false, maxMaturity: 'PG-13' },
    });
  });

  it('refuses a kids ceiling above PG', () => {
    const decision = decideProfileSettings({ kids: true, maxMaturity: 'R' });
    expect(decision).toMatchObject({ ok: false, message: expect.stringContaining('at most PG') });
    expect(decideProfileSettings({ maxMaturity: 'PG-13' }, { kids: true, maxMaturity: 'PG' }).ok).toBe(false);
  });

  it('lowers the ceiling when kids is turned on and keeps it when kids is turned off', () => {
    expect(decideProfileSettings({ kids: true }, { kids: false, maxMaturity: 'R' })).toEqual({
      ok: true,
      settings: { kids: true, maxMaturity: 'PG' },
    });
    expect(decideProfileSettings({ kids: true }, { kids: false, maxMaturity: 'G' })).toEqual({
      ok: true,
      settings: { kids: true, maxMaturity: 'G' },
    });
    expect(decideProfileSettings({ kids: false }, { kids: true, maxMaturity: 'PG' })).toEqual({
      ok: true,
      settings: { kids: false, maxMaturity: 'PG' },
    });
  });
});

describe('profile names', () => {
  it('trims and collapses white space, refusing empty or long names', () => {
    expect(normaliseProfileName('  Ada   Lovelace ')).toBe('Ada Lovelace');
    expect(normaliseProfileName('   ')).toBeUndefined();
    expect(normaliseProfileName('x'.repeat(41))).toBeUndefined();
    expect(normaliseProfileName('bell\u0007')).toBeUndefined();
  });

  it('names the first profile after the email local part', () => {
    expect(defaultProfileName('ada.lovelace')).toBe('ada.lovelace');
    expect(defaultProfileName('y'.repeat(64))).toBe('y'.repeat(40));
  });
});
