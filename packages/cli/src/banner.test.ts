import { describe, expect, it } from 'vitest';
import { demoProgressLine, parseGeneratedAdmin, startBanner } from './banner.js';

describe('start banner', () => {
  it('shows the URL, the data dir and how to stop', () => {
    const text = startBanner({ url: 'http://127.0.0.1:8080', dataDir: '/srv/marquee/data' });
    expect(text).toContain('Open  http://127.0.0.1:8080');
    expect(text).toContain('Data  /srv/marquee/data');
    expect(text).not.toContain('Admin');
    expect(text).not.toContain('Demo');
  });

  it('shows the admin credentials when they were just generated, and the demo titles coming', () => {
    const line =
      'Marquee admin account created: admin@marquee.local / password s3cr3t_-x\nThis password is shown only this once; …';
    const admin = parseGeneratedAdmin(line);
    expect(admin).toEqual({ email: 'admin@marquee.local', password: 's3cr3t_-x' });
    const text = startBanner({ url: 'http://x', dataDir: '/d', generatedAdmin: admin!, demoTitles: 8 });
    expect(text).toMatch(/Admin {2}admin@marquee\.local \/ s3cr3t_-x/);
    expect(text).toContain('adding 8 titles');
  });

  it('says demo progress as the titles whose encoding finished, N of M', () => {
    expect(demoProgressLine(3, 8)).toBe('demo: encoding, 3 of 8 titles done');
    expect(demoProgressLine(8, 8)).toMatch(/all 8 titles encoded/);
  });
});
