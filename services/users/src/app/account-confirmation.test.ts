import { openTestCache } from '@marquee/platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ReauthProofs } from './account-confirmation.js';

describe('ReauthProofs (a fresh single sign-on confirming a grave change)', () => {
  it('redeems a proof once, and only for the account it was issued to', async () => {
    const cache = await openTestCache('embedded');
    onTestFinished(() => cache.close());
    const proofs = new ReauthProofs(cache);
    const proof = await proofs.issue('account-a');
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await proofs.redeem(proof, 'account-b')).toBe(false);
    expect(await proofs.redeem(proof, 'account-a')).toBe(true);
    expect(await proofs.redeem(proof, 'account-a')).toBe(false);
    expect(await proofs.redeem('not-a-proof-at-all', 'account-a')).toBe(false);
  });
});
