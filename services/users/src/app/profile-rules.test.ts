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

  it('refuses bidi overrides, hidden format characters and names with nothing visible (issue 20 item 8)', () => {
    for (const hostile of [
      'Kids\u202e', // right-to-left override
      '\u2066Dad\u2069', // isolate
      'Mum\u200f', // right-to-left mark
      'a\u2060b', // word joiner
      '\u200b\u200b', // zero-width spaces only
      '\u3164', // Hangul filler
      '\u2800\u2800', // Braille blank
      '\u0301\u0301', // combining marks only
      '\ufe0f', // variation selector only
    ]) {
      expect(normaliseProfileName(hostile), JSON.stringify(hostile)).toBeUndefined();
    }
    expect(normaliseProfileName('👨\u200d👩\u200d👧 Family')).toBe('👨\u200d👩\u200d👧 Family');
    expect(normaliseProfileName('می\u200cخواهم')).toBe('می\u200cخواهم'); // Persian, with a ZWNJ
    expect(normaliseProfileName('José')).toBe('José');
  });

  it('names the first profile after the email local part', () => {
    expect(defaultProfileName('ada.lovelace')).toBe('ada.lovelace');
    expect(defaultProfileName('y'.repeat(64))).toBe('y'.repeat(40));
  });
});
