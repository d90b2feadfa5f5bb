import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Plan, Role } from '@marquee/core';
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_TYPE,
} from '@marquee/contracts';
import type { SigningKey } from './signing-keys.js';

export interface AccessTokenSubject {
  accountId: string;
  role: Role;
  plan: Plan;
  sessionId: string;
}

/** Signs a 15-minute access token for the subject with the given key; see claims.ts for the contract. */
export async function signAccessToken(
  key: SigningKey,
  subject: AccessTokenSubject,
  now: Date,
): Promise<{ accessToken: string; expiresIn: number }> {
  const iat = Math.floor(now.getTime() / 1000);
  const accessToken = await new SignJWT({ role: subject.role, plan: subject.plan, sid: subject.sessionId })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject(subject.accountId)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
    .sign(key.privateKey);
  return { accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}
