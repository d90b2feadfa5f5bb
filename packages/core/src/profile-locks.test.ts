import { describe, expect, it } from 'vitest';
import { issueProfileKey, PROFILE_KEY_TTL_MS, verifyProfileKey } from './profile-locks.js';

const SECRET = 'profile-lock-test-secret-0123456789';
const subject = { sessionId: 's-1', profileId: 'p-1', lockedAt: '2026-12-06T10:00:00.000Z' };
const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('profile keys', () => {
  it('verify for the session, profile and PIN they were made for, until they expire', () => {
    const { profileKey, expiresAt } = issueProfileKey(SECRET, subject, NOW);
    expect(Date.parse(expiresAt)).toBe(NOW + PROFILE_KEY_TTL_MS);
    expect(verifyProfileKey(SECRET, profileKey, subject, NOW + 1000)).toBe(true);
    expect(verifyProfileKey(SECRET, profileKey, subject, NOW + PROFILE_KEY_TTL_MS)).toBe(false);
    expect(verifyProfileKey(SECRET, profileKey, { ...subject, sessionId: 's-2' }, NOW)).toBe(false);
    expect(verifyProfileKey(SECRET, profileKey, { ...subject, profileId: 'p-2' }, NOW)).toBe(false);
    expect(
      verifyProfileKey(SECRET, profileKey, { ...subject, lockedAt: '2026-12-06T11:00:00.000Z' }, NOW),
    ).toBe(false);
    expect(verifyProfileKey('another-secret-0123456789abcdef', profileKey, subject, NOW)).toBe(false);
  });

  it('refuse anything malformed or stretched past its lifetime', () => {
    const { profileKey } = issueProfileKey(SECRET, subject, NOW);
    const [, mac] = profileKey.split('.');
    const far = (NOW + 10 * PROFILE_KEY_TTL_MS).toString(36);
    for (const bad of [
      undefined,
      '',
      'x',
      `${far}.${mac}`,
      `${profileKey}x`,
      `zz.${mac}`,
      profileKey.replace('.', ''),
    ]) {
      expect(verifyProfileKey(SECRET, bad, subject, NOW)).toBe(false);
    }
  });
});
