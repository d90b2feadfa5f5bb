import { describe, expect, it } from 'vitest';
import { createPasswordHasher, OWASP_MINIMUM_ARGON2, PRODUCTION_ARGON2 } from './password-hashing.js';

const cheap = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('password hashing', () => {
  it('production parameters are at or above the OWASP minimum', () => {
    expect(PRODUCTION_ARGON2.memoryCost).toBeGreaterThanOrEqual(OWASP_MINIMUM_ARGON2.memoryCost);
    expect(PRODUCTION_ARGON2.timeCost).toBeGreaterThanOrEqual(OWASP_MINIMUM_ARGON2.timeCost);
    expect(PRODUCTION_ARGON2.parallelism).toBeGreaterThanOrEqual(OWASP_MINIMUM_ARGON2.parallelism);
  });

  it('hashes with argon2id in PHC format and verifies', async () => {
    const hasher = createPasswordHasher(cheap);
    const stored = await hasher.hash('a long enough passphrase');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify(stored, 'a long enough passphrase')).toBe(true);
    expect(await hasher.verify(stored, 'a long enough passphrasE')).toBe(false);
    expect(await hasher.verify('not a hash', 'whatever')).toBe(false);
  });

  it('verifies the NFKC form, so composed and decomposed input match', async () => {
    const hasher = createPasswordHasher(cheap);
    const stored = await hasher.hash('café au lait, s’il vous plaît');
    expect(await hasher.verify(stored, 'cafe\u0301 au lait, s’il vous plaît')).toBe(true);
  });

  it('asks for a rehash when the parameters changed', async () => {
    const old = await createPasswordHasher(cheap).hash('a long enough passphrase');
    const current = createPasswordHasher({ ...cheap, timeCost: 2 });
    expect(current.needsRehash(old)).toBe(true);
    expect(current.needsRehash(await current.hash('a long enough passphrase'))).toBe(false);
    expect(current.needsRehash('$2b$10$bcryptlookingthing')).toBe(true);
  });

  it('hashes with the production defaults when given no parameters', async () => {
    const stored = await createPasswordHasher().hash('a long enough passphrase');
    expect(stored).toContain('$m=65536,t=3,p=1$');
  });
});
