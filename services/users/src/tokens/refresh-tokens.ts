import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque refresh tokens: 32 random bytes (256 bits), base64url. Only their SHA-256 is stored: a plain
 * hash suffices (no salt, no argon2) because the token has full entropy and cannot be guessed offline.
 */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Lifetimes of a session (refresh-token family). */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
/** However often it is refreshed, a session ends this long after login: then the user signs in again. */
export const SESSION_MAX_AGE_MS = 90 * 24 * 3600 * 1000;
