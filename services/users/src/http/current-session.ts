import type { FastifyRequest } from 'fastify';
import type { AccessTokenVerifier } from '@marquee/core';

/** Forwarded by the gateway with the other identity headers, when it does. */
export const SESSION_HEADER = 'x-marquee-session-id';

/**
 * The caller's session (the `sid` of its access token), used to mark the current session in the
 * sessions list. The gateway may forward it as a header; otherwise the forwarded bearer token is read
 * (users holds the keys, so this costs no call). Undefined when neither is there.
 */
export async function currentSessionId(
  req: FastifyRequest,
  verifier: AccessTokenVerifier,
): Promise<string | undefined> {
  const header = req.headers[SESSION_HEADER];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) return undefined;
  try {
    const claims = await verifier.verify(auth.slice('Bearer '.length));
    return claims.accountId === req.identity?.accountId ? claims.sessionId : undefined;
  } catch {
    return undefined;
  }
}
