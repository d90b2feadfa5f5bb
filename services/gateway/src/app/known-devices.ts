import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'marquee_device';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Device cookies (OWASP's answer to lock-out): a browser that signed in to an account gets a cookie
 * naming a device id, MACed together with that account's key. Its later logins to that account are
 * counted on their own backoff, so an attacker hammering the account from elsewhere slows only
 * themselves and everyone without the cookie, never the owner's known devices. The cookie proves
 * nothing else: it is not a credential and grants no access.
 */
export class KnownDevices {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly secure: boolean,
  ) {
    this.key = createHmac('sha256', secret).update('marquee known-device cookie v1').digest();
  }

  /** The Set-Cookie value marking this browser as a known device of `subject` (a device id is kept). */
  cookie(subject: string, deviceId: string = randomUUID()): string {
    const value = `${deviceId}.${this.mac(deviceId, subject)}`;
    const attributes = ['Path=/api/', `Max-Age=${ONE_YEAR_SECONDS}`, 'HttpOnly', 'SameSite=Strict'];
    return [`${DEVICE_COOKIE}=${value}`, ...attributes, ...(this.secure ? ['Secure'] : [])].join('; ');
  }

  /** The device id when the request's cookie was issued for `subject`, else undefined. */
  identify(cookieHeader: string | undefined, subject: string): string | undefined {
    const value = cookieValue(cookieHeader, DEVICE_COOKIE);
    const [deviceId, mac] = value?.split('.') ?? [];
    if (!deviceId || !mac || !/^[0-9a-f-]{36}$/.test(deviceId)) return undefined;
    const expected = Buffer.from(this.mac(deviceId, subject));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : undefined;
  }

  /** The device id of any well-formed device cookie (to keep it when the browser signs in elsewhere). */
  deviceIdOf(cookieHeader: string | undefined): string | undefined {
    const deviceId = cookieValue(cookieHeader, DEVICE_COOKIE)?.split('.')[0];
    return deviceId && /^[0-9a-f-]{36}$/.test(deviceId) ? deviceId : undefined;
  }

  private mac(deviceId: string, subject: string): string {
    return createHmac('sha256', this.key).update(`${deviceId}\n${subject}`).digest('base64url');
  }
}

/** One cookie's value from a Cookie header (RFC 6265 §5.4 pairs separated by `;`). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
