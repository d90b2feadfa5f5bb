import { describe, expect, it } from 'vitest';
import type { AccessClaims } from '@marquee/contracts';
import { VerifiedAccessTokens } from './verified-access-tokens.js';

const claims = (expiresAt: number): AccessClaims => ({
  accountId: 'a',
  role: 'viewer',
  plan: 'basic',
  sessionId: 's',
  expiresAt,
});

function setup(options: { maxEntries?: number; maxAgeMs?: number } = {}) {
  let now = 1_000_000;
  const calls: string[] = [];
  const tokens = new VerifiedAccessTokens(
    async (token) => {
      calls.push(token);
      if (token.startsWith('bad')) throw new Error('invalid');
      return claims(Number(token.split(':')[1] ?? 2_000)); // exp in seconds
    },
    { ...options, now: () => now },
  );
  return { tokens, calls, advance: (ms: number) => (now += ms) };
}

describe('VerifiedAccessTokens', () => {
  it('verifies a token once, then answers from memory', async () => {
    const { tokens, calls } = setup();
    await tokens.verify('t:2000');
    await tokens.verify('t:2000');
    expect(calls).toEqual(['t:2000']);
  });

  it('re-verifies after maxAge and never serves a token past its expiry', async () => {
    const { tokens, calls, advance } = setup({ maxAgeMs: 60_000 });
    await tokens.verify('t:2000'); // expires at 2,000,000 ms; now is 1,000,000
    advance(60_001);
    await tokens.verify('t:2000');
    expect(calls).toHaveLength(2);
    const short = setup({ maxAgeMs: 60_000 });
    await short.tokens.verify('t:1010'); // expires 10 s from now
    short.advance(10_001);
    await short.tokens.verify('t:1010');
    expect(short.calls).toHaveLength(2);
  });

  it('never remembers a failure', async () => {
    const { tokens, calls } = setup();
    await expect(tokens.verify('bad')).rejects.toThrow('invalid');
    await expect(tokens.verify('bad')).rejects.toThrow('invalid');
    expect(calls).toEqual(['bad', 'bad']);
    expect(tokens.size).toBe(0);
  });

  it('stays within its size, dropping the least recently used token', async () => {
    const { tokens, calls } = setup({ maxEntries: 2 });
    for (const t of ['a:2000', 'b:2000', 'c:2000', 'b:2000', 'a:2000']) await tokens.verify(t);
    expect(calls).toEqual(['a:2000', 'b:2000', 'c:2000', 'a:2000']);
    expect(tokens.size).toBe(2);
  });

  it('keeps a token in use over one verified later but not used since', async () => {
    const { tokens, calls } = setup({ maxEntries: 2 });
    for (const t of ['a:2000', 'b:2000', 'a:2000', 'c:2000', 'a:2000']) await tokens.verify(t);
    expect(calls).toEqual(['a:2000', 'b:2000', 'c:2000']);
  });

  it('does not remember a token that has already expired', async () => {
    const { tokens, calls } = setup();
    await tokens.verify('t:1000'); // expires now
    await tokens.verify('t:1000');
    expect(calls).toHaveLength(2);
    expect(tokens.size).toBe(0);
  });
});
