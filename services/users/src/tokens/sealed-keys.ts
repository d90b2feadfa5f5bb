import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Private signing keys live in the users database so every instance signs and verifies with the same
 * keys; they are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the service secret, so
 * a copy of the database alone does not let anyone mint access tokens.
 */
export interface KeySealer {
  seal(plaintext: string): string;
  /** Throws when the ciphertext was tampered with or sealed under another secret. */
  unseal(sealed: string): string;
}

const VERSION = 'v1';

/** `purpose` separates the keys: TOTP secrets are sealed under another key than the signing keys. */
export function createKeySealer(secret: string, purpose = 'jwt-signing-key-seal-v1'): KeySealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'marquee-users', purpose, 32));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    unseal(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined)
        throw new Error('sealed key has an unknown format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}
