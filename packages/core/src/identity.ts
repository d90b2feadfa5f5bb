import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isMaturity, isPlan, type Maturity, type Plan, type Role } from '@marquee/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from './errors.js';

export type { Plan, Role } from '@marquee/contracts';

/**
 * Trust between services. Only the gateway is public; it verifies the viewer's access token and passes
 * the identity on in headers. Internal services accept those headers only from callers that present the
 * service token (derived from MARQUEE_SECRET), so an identity header from the internet is worthless.
 */
export const SERVICE_TOKEN_HEADER = 'x-marquee-service-token';
export const IDENTITY_HEADERS = {
  accountId: 'x-marquee-account-id',
  role: 'x-marquee-role',
  plan: 'x-marquee-plan',
  profileId: 'x-marquee-profile-id',
  profileKids: 'x-marquee-profile-kids',
  profileMaxMaturity: 'x-marquee-profile-max-maturity',
} as const;

/**
 * A profile the gateway checked belongs to the caller (its ownership check), with the facts playback
 * decides on, so the service behind it need not ask users for the same profile again. As fresh as the
 * gateway's profile cache (`profileOwnerTtlMs`).
 */
export interface VerifiedProfile {
  profileId: string;
  kids: boolean;
  maxMaturity: Maturity;
}

export interface Identity {
  accountId: string;
  role: Role;
  plan: Plan;
  /** The request's profile, when the gateway verified one (a playback start names it in its body). */
  profile?: VerifiedProfile;
}

/** The token services present to each other; a derived key so the root secret never travels. */
export function serviceToken(secret: string): string {
  return createHmac('sha256', secret).update('marquee-service-token-v1').digest('base64url');
}

export function identityHeaders(identity: Identity): Record<string, string> {
  const headers: Record<string, string> = {
    [IDENTITY_HEADERS.accountId]: identity.accountId,
    [IDENTITY_HEADERS.role]: identity.role,
    [IDENTITY_HEADERS.plan]: identity.plan,
  };
  const profile = identity.profile;
  if (profile) {
    headers[IDENTITY_HEADERS.profileId] = profile.profileId;
    headers[IDENTITY_HEADERS.profileKids] = profile.kids ? 'true' : 'false';
    headers[IDENTITY_HEADERS.profileMaxMaturity] = profile.maxMaturity;
  }
  return headers;
}

/**
 * The verified profile in a request's headers, or undefined unless all three facts are there and well
 * formed: a partial or malformed set is ignored, never half-trusted, and the service asks users instead.
 * Only meaningful behind requireServiceToken (from anyone else the headers are worthless).
 */
export function verifiedProfileOf(headers: IncomingHttpHeaders): VerifiedProfile | undefined {
  const profileId = headers[IDENTITY_HEADERS.profileId];
  const kids = headers[IDENTITY_HEADERS.profileKids];
  const maxMaturity = headers[IDENTITY_HEADERS.profileMaxMaturity];
  if (typeof profileId !== 'string' || profileId.length === 0 || profileId.length > 128) return undefined;
  if ((kids !== 'true' && kids !== 'false') || !isMaturity(maxMaturity)) return undefined;
  return { profileId, kids: kids === 'true', maxMaturity };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireServiceToken when the gateway forwarded a verified viewer identity. */
    identity?: Identity;
  }
}

/**
 * Guards every route of an internal service except its probes and /metrics: requests must carry
 * the service token; identity headers, when present, become `req.identity`.
 */
export function requireServiceToken(app: FastifyInstance, secret: string): void {
  const expected = Buffer.from(serviceToken(secret));
  const open = new Set(['/healthz', '/readyz', '/readyz/self', '/metrics']);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (open.has(req.url.split('?')[0] ?? '')) return;
    const given = Buffer.from(String(req.headers[SERVICE_TOKEN_HEADER] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new DomainError('unauthorized', 'This service only answers other Marquee services');
    }
    const accountId = req.headers[IDENTITY_HEADERS.accountId];
    if (typeof accountId === 'string' && accountId.length > 0) {
      const plan = req.headers[IDENTITY_HEADERS.plan];
      const profile = verifiedProfileOf(req.headers);
      req.identity = {
        accountId,
        role: req.headers[IDENTITY_HEADERS.role] === 'admin' ? 'admin' : 'viewer',
        plan: isPlan(plan) ? plan : 'basic',
        ...(profile ? { profile } : {}),
      };
    }
  });
}

/** The identity of the caller, or a 401 problem. */
export function requireIdentity(req: FastifyRequest): Identity {
  if (!req.identity) throw new DomainError('unauthorized', 'Sign in to do this');
  return req.identity;
}

export function requireAdmin(req: FastifyRequest): Identity {
  const identity = requireIdentity(req);
  if (identity.role !== 'admin') throw new DomainError('forbidden', 'This needs the admin role');
  return identity;
}
