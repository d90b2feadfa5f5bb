import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed media tokens: what lets an edge serve `/t/<token>/a/<assetId>/…` without calling anyone.
 * A token is `base64url(payload JSON) "." base64url(HMAC-SHA256(key, payload part))`. The payload names
 * the key it was signed with (`kid`), so keys can rotate:
 *
 * - every `rotationMs` (default one day) a new signing key is derived from the secret, so a leaked
 *   derived key is useful for one period only and no key is ever stored;
 * - the secret itself can be rotated by listing the old one in `previousSecrets` until the tokens it
 *   signed have expired. The `kid` carries a fingerprint of the secret, never the secret.
 *
 * @example
 *   const keys = createMediaKeyring({ secret: ctx.secret });
 *   const token = keys.sign({ asset: 'a1', session: 's1', maxHeight: 720, exp: nowSeconds + 3600 });
 *   keys.verify(token); // { ok: true, payload: { asset: 'a1', … } }
 */
export interface MediaTokenPayload {
  asset: string;
  session: string;
  /** Highest rendition height (pixels) the holder may fetch; 0 allows only non-video objects. */
  maxHeight: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * The session id of artwork tokens: they open only the images of an asset (poster, thumbnails), never
 * its audio or video, so catalog pages can show posters from the edges without a playback session.
 */
export const ARTWORK_SESSION = 'artwork';

export type MediaTokenRefusal = 'malformed' | 'unknown_key' | 'bad_signature' | 'expired';

export type MediaTokenCheck =
  { ok: true; payload: MediaTokenPayload; kid: string } | { ok: false; reason: MediaTokenRefusal };

export interface MediaKeyringOptions {
  secret: string;
  /** Secrets still accepted for verification (newest first) while their tokens live out. */
  previousSecrets?: readonly string[];
  /** How often the derived signing key changes (default 24 h). */
  rotationMs?: number;
  /** Longest lifetime a token may have; older keys are refused (default 48 h). */
  maxTokenLifetimeMs?: number;
}

export interface MediaKeyring {
  sign(payload: MediaTokenPayload, now?: number): string;
  verify(token: string, now?: number): MediaTokenCheck;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The longest a media token may live by default: how long an edge must remember that a session ended
 * before every token of it has expired by itself.
 */
export const MAX_MEDIA_TOKEN_LIFETIME_MS = 2 * DAY_MS;
/** Tokens are path segments: bounded so a hostile URL cannot make the edge parse megabytes. */
export const MAX_MEDIA_TOKEN_LENGTH = 1024;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
const ID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;

function fingerprint(secret: string): string {
  return createHash('sha256').update('marquee-media-kid-v1').update(secret).digest('base64url').slice(0, 6);
}

function deriveKey(secret: string, period: number): Buffer {
  return createHmac('sha256', secret).update(`marquee-media-token-v1:${period}`).digest();
}

interface WirePayload {
  k: string;
  a: string;
  s: string;
  h: number;
  e: number;
}

function isWirePayload(value: unknown): value is WirePayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.k === 'string' &&
    typeof v.a === 'string' &&
    ID_SHAPE.test(v.a) &&
    typeof v.s === 'string' &&
    ID_SHAPE.test(v.s) &&
    Number.isInteger(v.h) &&
    (v.h as number) >= 0 &&
    Number.isInteger(v.e) &&
    (v.e as number) > 0
  );
}

export function createMediaKeyring(options: MediaKeyringOptions): MediaKeyring {
  const rotationMs = options.rotationMs ?? DAY_MS;
  const maxLifetimeMs = options.maxTokenLifetimeMs ?? MAX_MEDIA_TOKEN_LIFETIME_MS;
  const secrets = new Map<string, string>();
  for (const secret of [options.secret, ...(options.previousSecrets ?? [])]) {
    secrets.set(fingerprint(secret), secret);
  }
  const current = fingerprint(options.secret);
  // Derived keys are cached: verifying is on every media request of every edge.
  const keys = new Map<string, Buffer>();
  const keyFor = (kid: string): Buffer | undefined => {
    const cached = keys.get(kid);
    if (cached) return cached;
    const match = /^([A-Za-z0-9_-]{6})\.(\d{1,12})$/.exec(kid);
    const secret = match ? secrets.get(match[1]!) : undefined;
    if (!match || !secret) return undefined;
    const key = deriveKey(secret, Number(match[2]));
    if (keys.size > 64) keys.clear();
    keys.set(kid, key);
    return key;
  };
  const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest();

  return {
    sign(payload, now = Date.now()) {
      if (!ID_SHAPE.test(payload.asset) || !ID_SHAPE.test(payload.session)) {
        throw new RangeError('media token asset and session must be ids of [A-Za-z0-9_-]');
      }
      if (payload.exp * 1000 - now > maxLifetimeMs) {
        throw new RangeError(`media token lifetime exceeds ${maxLifetimeMs} ms`);
      }
      const kid = `${current}.${Math.floor(now / rotationMs)}`;
      const wire: WirePayload = {
        k: kid,
        a: payload.asset,
        s: payload.session,
        h: payload.maxHeight,
        e: payload.exp,
      };
      const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
      return `${body}.${mac(keyFor(kid)!, body).toString('base64url')}`;
    },

    verify(token, now = Date.now()) {
      if (token.length > MAX_MEDIA_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) {
        return { ok: false, reason: 'malformed' };
      }
      const dot = token.indexOf('.');
      const body = token.slice(0, dot);
      let wire: unknown;
      try {
        wire = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (!isWirePayload(wire)) return { ok: false, reason: 'malformed' };
      const period = Number(wire.k.split('.')[1]);
      const currentPeriod = Math.floor(now / rotationMs);
      // A key older than the longest token lifetime cannot have signed a live token; one from the
      // future allows one period of clock skew between the signer and this edge.
      const oldest = currentPeriod - Math.ceil(maxLifetimeMs / rotationMs) - 1;
      const key = period >= oldest && period <= currentPeriod + 1 ? keyFor(wire.k) : undefined;
      if (!key) return { ok: false, reason: 'unknown_key' };
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(key, body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, reason: 'bad_signature' };
      }
      if (wire.e * 1000 <= now) return { ok: false, reason: 'expired' };
      return {
        ok: true,
        kid: wire.k,
        payload: { asset: wire.a, session: wire.s, maxHeight: wire.h, exp: wire.e },
      };
    },
  };
}
