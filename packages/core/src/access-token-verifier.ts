import {
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TYPE,
  isPlan,
  isRole,
  type AccessClaims,
} from '@marquee/contracts';
import { DomainError, UpstreamError } from './errors.js';
import type { ServiceClient } from './http-client.js';

/** A 401: the token is malformed, forged, of the wrong kind or expired, or its session has ended. */
export class AccessTokenError extends DomainError {
  constructor(code: 'auth.token_invalid' | 'auth.token_expired' | 'auth.session_ended', message: string) {
    super(code, message);
  }
}

export interface AccessTokenVerifierOptions {
  /** Fetches the JWK Set from users (see jwksFromUsers); called at start, on age and on an unknown kid. */
  fetchJwks: () => Promise<JSONWebKeySet>;
  /** Refresh the cached set in the background once it is this old (default 5 min). */
  refreshAfterMs?: number;
  /**
   * Fetch again for an unknown `kid` at most this often (default 1 s): forged kids cost users at most one
   * JWK Set fetch a second per verifier. Longer hurt: users replicas starting together each create a key,
   * and a gateway that fetched the set between the two refused the second replica's tokens until the
   * cooldown passed (30 s once; caught by the cluster acceptance test).
   */
  unknownKidCooldownMs?: number;
  /** Allowed clock skew between users and the verifier (default 5 s). */
  clockToleranceSeconds?: number;
  /** For tests: the verifier's notion of now. */
  now?: () => Date;
}

export interface AccessTokenVerifier {
  /** The claims of a valid access token; throws AccessTokenError otherwise (never calls users per token). */
  verify(token: string): Promise<AccessClaims>;
  /** Fetches the JWK Set now (call once at start so the first request does not wait). */
  refresh(): Promise<void>;
}

/**
 * Verifies users' access tokens locally, for the gateway (and users itself, for its account routes).
 * It lives in core, beside the media token, because it needs core's error catalogue and service
 * client; the claims it checks are the contract in @marquee/contracts. Checks: EdDSA only (so `alg: none` and HMAC
 * confusion are refused), `typ` at+jwt, issuer, audience and expiry checked, and role/plan/sid present.
 * The JWK Set is cached and refreshed by age, and once more when a token names a key it does not
 * know yet (a key rotated in since the last fetch).
 *
 * @example
 *   const verifier = createAccessTokenVerifier({ fetchJwks: jwksFromUsers(usersClient) });
 *   await verifier.refresh();
 *   const { accountId, role, plan, sessionId } = await verifier.verify(bearerToken);
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const refreshAfterMs = options.refreshAfterMs ?? 5 * 60 * 1000;
  const cooldownMs = options.unknownKidCooldownMs ?? 1_000;
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = 0;
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    inFlight ??= options
      .fetchJwks()
      .then((jwks) => {
        keySet = createLocalJWKSet(jwks);
        fetchedAt = Date.now();
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const check = async (token: string) => {
    if (!keySet) await refresh();
    else if (Date.now() - fetchedAt >= refreshAfterMs) refresh().catch(() => undefined); // keep serving the cached set
    return jwtVerify(token, keySet!, {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['sub', 'exp', 'iat', 'sid'],
      clockTolerance: options.clockToleranceSeconds ?? 5,
      ...(options.now ? { currentDate: options.now() } : {}),
    });
  };

  return {
    refresh,
    async verify(token) {
      try {
        let result;
        try {
          result = await check(token);
        } catch (err) {
          if (!(err instanceof joseErrors.JWKSNoMatchingKey) || Date.now() - fetchedAt < cooldownMs)
            throw err;
          await refresh();
          result = await check(token);
        }
        return claimsOf(result.payload);
      } catch (err) {
        throw translate(err);
      }
    },
  };
}

function claimsOf(payload: JWTPayload): AccessClaims {
  const { sub, role, plan, sid, exp } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') {
    throw new AccessTokenError('auth.token_invalid', 'The access token lacks its subject or session');
  }
  if (!isRole(role) || !isPlan(plan)) {
    throw new AccessTokenError('auth.token_invalid', 'The access token has an unknown role or plan');
  }
  return { accountId: sub, role, plan, sessionId: sid, expiresAt: exp };
}

function translate(err: unknown): Error {
  if (err instanceof AccessTokenError) return err;
  if (err instanceof joseErrors.JWTExpired)
    return new AccessTokenError('auth.token_expired', 'The access token has expired; refresh it');
  if (err instanceof joseErrors.JOSEError)
    return new AccessTokenError('auth.token_invalid', 'The access token is not valid');
  return err as Error; // the JWK Set could not be fetched: not the caller's fault
}

/** fetchJwks for the gateway: GET /internal/jwks on users through a client that sends the service token. */
export function jwksFromUsers(client: ServiceClient): () => Promise<JSONWebKeySet> {
  return async () => {
    const res = await client.get<JSONWebKeySet>('/internal/jwks');
    if (res.status !== 200 || !Array.isArray(res.body?.keys)) {
      throw new UpstreamError(
        'upstream.unavailable',
        client.service,
        `users answered ${res.status} for its JWK Set`,
      );
    }
    return res.body;
  };
}
