import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 codes through `otpauth` (maintained, no dependencies, typed; the HMAC is node:crypto's), with
 * the parameters every authenticator app understands: SHA-1, 6 digits, 30-second steps.
 */
const PERIOD = 30;
const DIGITS = 6;
/** One step either side: a phone's clock a little off, or a code typed as it rolled over. */
const WINDOW = 1;

/** A new random secret (160 bits, as RFC 4226 recommends), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return totp(secret, issuer, label).toString();
}

/**
 * The time step a code belongs to when it is right at `now` (within one step), else undefined. The
 * caller refuses a step it already accepted (RFC 6238 §5.2: a code works once).
 */
export function totpStep(secret: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const timestamp = now.getTime();
  const delta = totp(secret).validate({ token: code, timestamp, window: WINDOW });
  if (delta === null) return undefined;
  return TOTP.counter({ period: PERIOD, timestamp }) + delta;
}

/** The code for `now` (tests and the web's own checks use the library the same way). */
export function totpCode(secret: string, now: Date): string {
  return totp(secret).generate({ timestamp: now.getTime() });
}

function totp(secret: string, issuer = 'Marquee', label = 'Marquee'): TOTP {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
  });
}

/** What the user types: a 6-digit code, or a recovery code (with or without its dash, any case). */
export function normaliseCode(raw: string): { kind: 'totp' | 'recovery'; value: string } {
  const compact = raw.replace(/[\s-]/g, '').toLowerCase();
  return /^\d{6}$/.test(compact) ? { kind: 'totp', value: compact } : { kind: 'recovery', value: compact };
}

/** No 0/o, 1/l/i: recovery codes are copied from paper. 31 symbols, 10 per code: ~49.5 bits. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

/** Ten fresh recovery codes, formatted `abcde-fghjk` for reading. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]);
    return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
  });
}

/**
 * Recovery codes are kept as an HMAC under a key derived from the service secret: cheap to check all
 * ten (unlike argon2), and a copy of the database alone cannot test guesses offline.
 */
export function recoveryCodeHasher(secret: string): (code: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'marquee-users', 'recovery-code-v1', 32));
  return (code) => createHmac('sha256', key).update(normaliseCode(code).value).digest('base64url');
}
