import { describe, expect, it } from 'vitest';
import { blobKeyFor, parseUploadMetadata } from './upload-metadata.js';

describe('parseUploadMetadata', () => {
  it('accepts a source video', () => {
    expect(parseUploadMetadata({ titleId: 't_1', filename: 'My Film.mp4' })).toEqual({
      titleId: 't_1',
      filename: 'My Film.mp4',
      kind: 'source',
      language: null,
    });
  });

  it('recognises subtitle sidecars and their language', () => {
    expect(parseUploadMetadata({ titleId: 't1', filename: 'film.pt-BR.srt' })).toMatchObject({
      kind: 'subtitle',
      language: 'pt-br',
    });
    expect(parseUploadMetadata({ titleId: 't1', filename: 'film.vtt', language: 'fr' })).toMatchObject({
      kind: 'subtitle',
      language: 'fr',
    });
    expect(parseUploadMetadata({ titleId: 't1', filename: 'film.vtt' })).toMatchObject({ language: 'und' });
  });

  it.each([
    [{ filename: 'a.mp4' }, /titleId/],
    [{ titleId: '../etc', filename: 'a.mp4' }, /titleId/],
    [{ titleId: 't1' }, /filename/],
    [{ titleId: 't1', filename: '../../etc/passwd' }, /slashes/],
    [{ titleId: 't1', filename: 'a\u0000.mp4' }, /control/],
    [{ titleId: 't1', filename: 'x.srt', language: 'english please' }, /language/],
  ])('refuses %j', (raw, message) => {
    expect(parseUploadMetadata(raw)).toMatch(message);
  });
});

describe('blobKeyFor', () => {
  it('derives keys from ids only', () => {
    const meta = { titleId: 't1', filename: 'evil name;rm -rf.MP4', kind: 'source' as const, language: null };
    expect(blobKeyFor(meta, 'a1', 'u1')).toBe('sources/a1/source.mp4');
    expect(blobKeyFor({ ...meta, filename: 'x.en.srt', kind: 'subtitle', language: 'en' }, 'a1', 'u9')).toBe(
      'sidecars/t1/en-u9.srt',
    );
  });
});
