import { describe, expect, it } from 'vitest';
import { MediaRejectedError } from './errors.js';
import { normalizeVtt, sidecarToVtt, srtToVtt, subtitlePlaylist, withTimestampMap } from './subtitles.js';

describe('srtToVtt', () => {
  it('converts cues, drops numbers, keeps styling tags, tolerates BOM and CRLF', () => {
    const srt =
      '\uFEFF1\r\n00:00:01,500 --> 00:00:03,000\r\n<i>Hello</i>\r\nthere\r\n\r\n2\r\n00:01:02,05 --> 00:01:04,100 X1:10\r\nBye\r\n';
    expect(srtToVtt(srt)).toBe(
      'WEBVTT\n\n00:00:01.500 --> 00:00:03.000\n<i>Hello</i>\nthere\n\n00:01:02.050 --> 00:01:04.100\nBye\n',
    );
  });

  it('skips broken cues and rejects a file without any', () => {
    expect(srtToVtt('1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n99:99 --> nonsense\nbad\n')).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n',
    );
    expect(() => srtToVtt('just some text')).toThrow(MediaRejectedError);
  });

  it('neutralises an arrow inside cue text', () => {
    expect(srtToVtt('1\n00:00:01,000 --> 00:00:02,000\na --> b\n')).toContain('\na -> b\n');
  });
});

describe('normalizeVtt', () => {
  it('keeps cues and replaces header metadata', () => {
    const vtt =
      'WEBVTT - title\r\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\r\n\r\n00:01.000 --> 00:02.000\r\nHi\r\n';
    expect(normalizeVtt(vtt)).toBe('WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n');
  });

  it('rejects files without the header or without cues', () => {
    expect(() => normalizeVtt('00:01.000 --> 00:02.000\nHi\n')).toThrow(/does not start with WEBVTT/);
    expect(() => normalizeVtt('WEBVTT\n\nNOTE nothing here\n')).toThrow(/no cue/);
  });
});

describe('sidecarToVtt', () => {
  it('picks the converter by extension and refuses others', () => {
    expect(sidecarToVtt('film.EN.srt', '1\n00:00:01,000 --> 00:00:02,000\nok\n')).toContain('WEBVTT');
    expect(sidecarToVtt('film.vtt', 'WEBVTT\n\n00:01.000 --> 00:02.000\nok\n')).toContain('ok');
    expect(() => sidecarToVtt('film.ass', '[Script Info]')).toThrow(/neither .srt nor .vtt/);
  });
});

describe('subtitle rendition files', () => {
  it('maps cue time 0 to media time 0', () => {
    expect(withTimestampMap('WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n')).toBe(
      'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n00:01.000 --> 00:02.000\nHi\n',
    );
  });

  it('writes a one-segment VOD playlist covering the title', () => {
    const text = subtitlePlaylist('index.vtt', 61.2);
    expect(text).toContain('#EXT-X-TARGETDURATION:62\n');
    expect(text).toContain('#EXTINF:61.200,\nindex.vtt\n#EXT-X-ENDLIST');
  });
});
