import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  commonPasswords,
  normalisePassword,
  parseCommonPasswords,
  userInputs,
} from './password-policy.js';

const reason = (password: string, email?: string) => {
  const verdict = checkPassword(password, { email });
  return verdict.ok ? 'ok' : verdict.reason;
};

describe('password policy', () => {
  it('needs 12 code points and accepts far longer passphrases', () => {
    expect(reason('short pass!')).toBe('too_short');
    expect(reason('a good phrase')).toBe('ok');
    const long = 'velvet harbour lantern quietly '.repeat(9).slice(0, 256); // 256 code points
    expect(reason(long)).toBe('ok');
    expect(reason(`${long}x`)).toBe('too_long');
  });

  it('counts code points, not UTF-16 units, and allows any Unicode', () => {
    expect(reason('🎬🍿🎥🎞️📽️🎦')).toBe('too_short'); // 12 UTF-16 units but fewer code points
    expect(reason('ピクニックに行こう、晴れの日')).toBe('ok');
    expect(reason('Ça va très bien, merci')).toBe('ok');
  });

  it('has no composition rules', () => {
    expect(reason('all lower case words')).toBe('ok');
    expect(reason('onlyletterswithoutspaces')).toBe('ok');
  });

  it('refuses common and commonly padded passwords case-insensitively', () => {
    expect(reason('password1234')).toBe('common');
    expect(reason('PassWord1234')).toBe('common');
    expect(reason('Qwerty123456')).toBe('common');
    expect(reason('iloveyou2024')).toBe('common');
    expect(reason('123456789012')).toBe('common');
  });

  it('refuses what zxcvbn guesses in under 10^10 tries, as typed and trimmed (issue 20 item 6)', () => {
    for (const weak of [
      ' password1234',
      'qwertyuiopas',
      'zaq12wsxcde3',
      'Summer2024!!',
      'Netflix2024!',
      'Passw0rd!Passw0rd!',
      'Marquee2024!!',
    ]) {
      expect(reason(weak), weak).not.toBe('ok');
    }
    expect(reason('johnsmith2123456', 'johnsmith2@example.com')).not.toBe('ok');
    expect(reason('correct horse battery staple', 'johnsmith2@example.com')).toBe('ok');
  });

  it('gives zxcvbn the service name and the email parts as user inputs', () => {
    expect(userInputs('Rosa.Parks+tv@montgomery.example.org')).toEqual([
      'marquee',
      'rosa.parks+tv@montgomery.example.org',
      'rosa.parks+tv',
      'rosa',
      'parks',
      'montgomery',
      'example',
    ]);
  });

  it('refuses repeated units and straight runs', () => {
    expect(reason('zzzzzzzzzzzzzzz')).toBe('repetitive');
    expect(reason('xyzxyzxyzxyzxyz')).toBe('repetitive');
    expect(reason('abcdefghijklmn')).toBe('repetitive');
    expect(reason('nmlkjihgfedcba')).toBe('repetitive');
  });

  it('refuses the account email and its padded local part', () => {
    expect(reason('rosalind.franklin@example.org', 'rosalind.franklin@example.org')).toBe('contains_email');
    expect(reason('rosalind.franklin1953!', 'rosalind.franklin@example.org')).toBe('contains_email');
    expect(reason('rosalind likes x-rays', 'rosalind.franklin@example.org')).toBe('ok');
  });

  it('normalises with NFKC so compatibility forms hash alike', () => {
    expect(normalisePassword('ﬁnest ﬁlms ever')).toBe('finest films ever');
    expect(normalisePassword('cafe\u0301 au lait')).toBe(normalisePassword('café au lait'));
  });

  it('ships a list of a few hundred entries of at least 12 characters', () => {
    const list = commonPasswords();
    expect(list.size).toBeGreaterThan(300);
    for (const entry of list) expect([...entry].length).toBeGreaterThanOrEqual(12);
    expect(parseCommonPasswords('# comment\nAbcdefghijklX\n\n')).toEqual(new Set(['abcdefghijklx']));
  });
});
