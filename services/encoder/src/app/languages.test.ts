import { describe, expect, it } from 'vitest';
import { renditionName, toBcp47, toIso6392, UNKNOWN_LANGUAGE_NAME } from './languages.js';

describe('toIso6392', () => {
  it('gives containers three letters for a BCP 47 tag, round-tripping with toBcp47', () => {
    expect(toIso6392('es')).toBe('spa');
    expect(toIso6392('en')).toBe('eng');
    expect(toIso6392('fr')).toBe('fra');
    expect(toIso6392('pt-BR')).toBe('por');
    expect(toIso6392('spa')).toBe('spa');
    for (const tag of ['en', 'es', 'fr', 'de', 'ja', 'zh', 'nl', 'cs'])
      expect(toBcp47(toIso6392(tag))).toBe(tag);
  });
  it('says und for what it cannot name', () => {
    expect(toIso6392(undefined)).toBe('und');
    expect(toIso6392('')).toBe('und');
    expect(toIso6392('x')).toBe('und');
  });
});

describe('renditionName', () => {
  it('names an untagged track Unknown, never a language', () => {
    expect(renditionName(undefined, undefined, UNKNOWN_LANGUAGE_NAME)).toBe('Unknown');
    expect(renditionName('es', undefined, UNKNOWN_LANGUAGE_NAME)).toBe('Spanish');
  });
});
