import { describe, expect, it } from 'vitest';
import { allowedDemuxer, safeInputArgs, safeProbeArgs } from './input-policy.js';

describe('allowedDemuxer', () => {
  it('maps allowed ffprobe format names to the demuxer to force', () => {
    expect(allowedDemuxer('mov,mp4,m4a,3gp,3g2,mj2')).toBe('mov');
    expect(allowedDemuxer('matroska,webm')).toBe('matroska');
    expect(allowedDemuxer('mpegts')).toBe('mpegts');
  });

  it('refuses demuxers that can open other files', () => {
    for (const name of ['hls', 'concat', 'image2', 'sdp', 'dash', 'tty', 'png_pipe', 'lavfi', 'mpegtsraw']) {
      expect(allowedDemuxer(name)).toBeUndefined();
    }
  });
});

describe('safeInputArgs', () => {
  it('opens only a local file through the allow-lists', () => {
    expect(safeInputArgs('/jobs/a:b/source', 'matroska')).toEqual([
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      'mov,matroska,avi,mpegts,flv,ogg,mxf,mpeg,asf',
      '-f',
      'matroska',
      '-i',
      'file:/jobs/a:b/source',
    ]);
    expect(safeInputArgs('/jobs/x/source', 'mov')).toContain('-enable_drefs');
  });

  it('refuses relative paths and demuxers off the list', () => {
    expect(() => safeInputArgs('source')).toThrow(/absolute/);
    expect(() => safeInputArgs('/jobs/x', 'hls')).toThrow(/not allowed/);
    expect(() => safeProbeArgs('-i')).toThrow(/absolute/);
  });
});
