import { describe, expect, it } from 'vitest';
import { InvalidKeyError } from './errors.js';
import { compareKeys, keyProblem, validateKey, validatePrefix } from './keys.js';

const good: string[] = [
  'a',
  'assets/a1/master.m3u8',
  'assets/a1/v0/seg_00001.m4s',
  '%2e%2e/x', // percent-escapes are literal names, never decoded
  '..x/y', // dots inside a name are fine
  'a/.hidden',
  'a/b..c',
  'a b/c d', // spaces are fine
  'films/Amélie (2001)/poster.jpg',
  '映画/東京物語.mp4',
  '🎬/🍿.txt',
  'x'.repeat(255),
  `${'a'.repeat(255)}/${'b'.repeat(255)}/${'c'.repeat(255)}/${'d'.repeat(255)}`, // 1023 bytes
  'é'.repeat(127), // 254 bytes
];

const hostile: [string, RegExp][] = [
  ['', /empty/],
  ['../etc/passwd', /\.\. segments/],
  ['/etc/passwd', /relative/],
  ['a/../../b', /\.\. segments/],
  ['a/..', /\.\. segments/],
  ['..', /\.\. segments/],
  ['.', /\. or \.\. segments/],
  ['a/./b', /\. or \.\. segments/],
  ['a\\..\\b', /backslash/],
  ['a\\b', /backslash/],
  ['a//b', /empty segments/],
  ['a/', /empty segments/],
  ['/', /relative/],
  ['a\u0000b', /control/],
  ['a/b\u0000.jpg', /control/],
  ['a\nb', /control/],
  ['a\rb', /control/],
  ['a\tb', /control/],
  ['a\u007fb', /control/],
  ['a\u0085b', /control/],
  ['a\ud800b', /Unicode/],
  ['x'.repeat(256), /255 bytes/],
  ['é'.repeat(128), /255 bytes/], // 256 bytes in UTF-8 though 128 characters
  [`${'a'.repeat(255)}/${'b'.repeat(255)}/${'c'.repeat(255)}/${'d'.repeat(255)}/e`, /1024 bytes/], // 1025 bytes
  [Array.from({ length: 600 }, () => 'a').join('/'), /1024 bytes/],
];

describe('validateKey', () => {
  it.each(good)('accepts %j', (key) => {
    expect(keyProblem(key)).toBeUndefined();
    expect(validateKey(key)).toBe(key);
  });

  it.each(hostile)('refuses %j', (key, reason) => {
    expect(keyProblem(key)).toMatch(reason);
    expect(() => validateKey(key)).toThrow(InvalidKeyError);
  });

  it('refuses non-strings from untyped callers', () => {
    expect(keyProblem(undefined)).toMatch(/string/);
    expect(keyProblem(42)).toMatch(/string/);
  });

  it('carries a stable code and shows control characters escaped', () => {
    const error = (() => {
      try {
        validateKey('a\u0000b');
      } catch (e) {
        return e as InvalidKeyError;
      }
    })();
    expect(error?.code).toBe('blob.invalid_key');
    expect(error?.message).toContain('"a\\u0000b"');
  });
});

describe('validatePrefix', () => {
  it.each(['', 'a', 'a/', 'assets/a1/', 'assets/a', 'a/..', 'a/.', '..', '%2e%2e/'])(
    'accepts %j',
    (prefix) => {
      expect(validatePrefix(prefix)).toBe(prefix);
    },
  );

  it.each(['/', '/etc', '../x', 'a/../', 'a//', 'a\\', 'a\u0000', 'a/./b', 'x'.repeat(1025)])(
    'refuses %j',
    (prefix) => {
      expect(() => validatePrefix(prefix)).toThrow(InvalidKeyError);
    },
  );
});

describe('compareKeys', () => {
  it('orders by UTF-8 bytes like S3, not by UTF-16 code units', () => {
    // U+FF61 is one UTF-16 unit above the surrogate pair of U+1F3AC in JS order, but below it in UTF-8.
    expect(['🎬', '｡'].sort()).toEqual(['🎬', '｡']);
    expect(['🎬', '｡'].sort(compareKeys)).toEqual(['｡', '🎬']);
  });

  it("puts 'a/b' before 'a/b0' and after 'a/b-x' ('-' < '/' < '0')", () => {
    expect(['a/b0', 'a/b/c', 'a/b-x', 'a/b'].sort(compareKeys)).toEqual(['a/b', 'a/b-x', 'a/b/c', 'a/b0']);
  });
});
