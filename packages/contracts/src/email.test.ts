import { describe, expect, it } from 'vitest';
import { emailLocalPart, normaliseEmail } from './email.js';

describe('normaliseEmail', () => {
  it('trims and lower-cases the whole address', () => {
    expect(normaliseEmail('  Alice.Smith+tv@Example.COM \n')).toBe('alice.smith+tv@example.com');
  });

  it('keeps dots and plus tags, which are provider-specific', () => {
    expect(normaliseEmail('a.b+c@gmail.com')).not.toBe(normaliseEmail('ab@gmail.com'));
  });

  it('converts internationalised domains to punycode', () => {
    expect(normaliseEmail('jo@Bücher.de')).toBe('jo@xn--bcher-kva.de');
  });

  it('rejects what is not an address', () => {
    for (const bad of [
      '',
      'plain',
      '@example.com',
      'a@',
      'a@b',
      'a b@example.com',
      'a@b@example.com',
      'a@exa mple.com',
    ]) {
      expect(normaliseEmail(bad), bad).toBeUndefined();
    }
    expect(normaliseEmail(`${'x'.repeat(65)}@example.com`)).toBeUndefined();
    expect(normaliseEmail(`a@${'d'.repeat(250)}.com`)).toBeUndefined();
  });

  it('gives the local part for profile names', () => {
    expect(emailLocalPart('alice@example.com')).toBe('alice');
  });
});
