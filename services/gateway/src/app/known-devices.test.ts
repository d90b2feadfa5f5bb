import { describe, expect, it } from 'vitest';
import { cookieValue, DEVICE_COOKIE, KnownDevices } from './known-devices.js';

const devices = new KnownDevices('a-secret-of-at-least-thirty-two-chars', true);
const cookieHeader = (setCookie: string) => setCookie.split(';')[0]!;

describe('known devices', () => {
  it('recognises its cookie for the account it was issued for, and only that one', () => {
    const header = cookieHeader(devices.cookie('email:abc'));
    const deviceId = devices.identify(`theme=dark; ${header}`, 'email:abc');
    expect(deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(devices.identify(header, 'email:other')).toBeUndefined();
    expect(devices.deviceIdOf(header)).toBe(deviceId);
  });

  it('refuses forged, truncated or foreign-key cookies', () => {
    const header = cookieHeader(devices.cookie('email:abc'));
    const other = new KnownDevices('another-secret-of-at-least-thirty-two', true);
    expect(other.identify(header, 'email:abc')).toBeUndefined();
    expect(devices.identify(header.slice(0, -2), 'email:abc')).toBeUndefined();
    expect(devices.identify(`${DEVICE_COOKIE}=x.y`, 'email:abc')).toBeUndefined();
    expect(devices.identify(undefined, 'email:abc')).toBeUndefined();
  });

  it('is HttpOnly, SameSite=Strict, scoped to the API, and Secure when served over https', () => {
    expect(devices.cookie('s')).toMatch(/; Path=\/api\/; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/);
    expect(new KnownDevices('a-secret-of-at-least-thirty-two-chars', false).cookie('s')).not.toContain(
      'Secure',
    );
  });

  it('reads one cookie out of a header', () => {
    expect(cookieValue('a=1; b=2;c=3', 'b')).toBe('2');
    expect(cookieValue('ab=1', 'a')).toBeUndefined();
  });
});
