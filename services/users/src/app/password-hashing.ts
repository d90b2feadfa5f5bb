import { hash, parseOptions, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { normalisePassword } from './password-policy.js';

/** Argon2id cost parameters (memory in KiB). */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * Production parameters, above OWASP's Password Storage Cheat Sheet minimum (m=19456 KiB, t=2, p=1):
 * 64 MiB and 3 passes, RFC 9106's second recommended profile with a single lane. Measured on the
 * 2-core dev machine: ~55 ms per hash or verify (19 MiB/t=2 took ~10 ms).
 */
export const PRODUCTION_ARGON2: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 65_536,
  timeCost: 3,
  parallelism: 1,
});

/** The OWASP floor; production parameters must not go below it (tests may, through deps). */
export const OWASP_MINIMUM_ARGON2: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

// `Algorithm` is an ambient const enum, which isolatedModules cannot read: Argon2id is 2.
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant work whether or not the hash matches; false for any malformed hash. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** True when the stored hash was made with other parameters (or another algorithm) than the current ones. */
  needsRehash(storedHash: string): boolean;
  /** A hash of a random password, to verify against when an account does not exist (equal timing). */
  readonly decoy: Promise<string>;
}

export function createPasswordHasher(params: Argon2Params = PRODUCTION_ARGON2): PasswordHasher {
  const options: Options = { algorithm: ARGON2ID, ...params };
  const hasher: PasswordHasher = {
    hash: (password) => hash(normalisePassword(password), options),
    async verify(storedHash, password) {
      try {
        return await verify(storedHash, normalisePassword(password));
      } catch {
        return false;
      }
    },
    needsRehash(storedHash) {
      try {
        const used = parseOptions(storedHash);
        return (
          used.algorithm !== ARGON2ID ||
          used.memoryCost !== params.memoryCost ||
          used.timeCost !== params.timeCost ||
          used.parallelism !== params.parallelism
        );
      } catch {
        return true;
      }
    },
    decoy: hash(`decoy-${Math.random()}-${Date.now()}`, options),
  };
  // The decoy is awaited only on a failed lookup; keep an early rejection from becoming unhandled.
  hasher.decoy.catch(() => undefined);
  return hasher;
}
