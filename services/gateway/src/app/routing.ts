/**
 * The routing table of the public API: which service owns a path, who may call it, and how the
 * gateway handles it. Pure data plus a matcher, so the whole table is unit-tested without HTTP.
 */
export type Upstream = 'users' | 'streaming' | 'recommender' | 'encoder' | 'storage' | 'analytics';
export const UPSTREAMS: readonly Upstream[] = [
  'users',
  'streaming',
  'recommender',
  'encoder',
  'storage',
  'analytics',
];

/**
 * `public`: anyone; `optional`: a token is verified when present (the HLS steering URL is fetched by
 * the player, which may not send one); `viewer`: a valid access token; `admin`: role admin.
 */
export type Access = 'public' | 'optional' | 'viewer' | 'admin';

/**
 * `proxy`: streamed to the upstream, JSON body up to 1 MiB; `credentials`: a proxy that checks a
 * password (login, sign-up, password change), under the credential limits and backoff; `upload`: tus, bodies streamed without a buffer up to UPLOAD_MAX_BYTES;
 * `home`: the recommender with a fallback; `health`: answered by the gateway itself.
 */
export type RouteKind = 'proxy' | 'credentials' | 'upload' | 'home' | 'health' | 'chaos';

export interface RouteRule {
  /** Literal segments; `:name` captures one segment; a final `/*` matches the path itself and anything below. */
  pattern: string;
  /** Methods this rule applies to (all when absent); other methods fall through to later rules. */
  methods?: readonly string[];
  upstream: Upstream | 'gateway';
  access: Access;
  kind: RouteKind;
  /** A JSON body field naming a profile that must belong to the caller, as `:profileId` in paths must. */
  profileInBody?: string;
  /**
   * The call gives capacity back (ending a playback session frees its stream slot): never shed by the
   * upstream's concurrency limiter, nor refused by its open circuit breakers (UpstreamService.stream).
   * Shedding a stop keeps its lease held until the TTL, so the account's next start is refused —
   * bench/viewers lost hundreds of starts that way at 63–100 viewers on an idle machine, when every
   * viewer of a trial stopped at once.
   */
  releases?: boolean;
}

/** First match wins, so specific rules come before the prefixes that would swallow them. */
export const ROUTES: readonly RouteRule[] = [
  {
    pattern: '/api/auth/signup',
    methods: ['POST'],
    upstream: 'users',
    access: 'public',
    kind: 'credentials',
  },
  { pattern: '/api/auth/login', methods: ['POST'], upstream: 'users', access: 'public', kind: 'credentials' },
  // Refresh and logout are authorised by the refresh token in the body, so an expired access token
  // never stands between a viewer and signing out.
  { pattern: '/api/auth/refresh', methods: ['POST'], upstream: 'users', access: 'public', kind: 'proxy' },
  { pattern: '/api/auth/logout', methods: ['POST'], upstream: 'users', access: 'public', kind: 'proxy' },
  // Mailed links are followed signed out. Asking for a reset mail and using a reset link are limited
  // like credential checks (per address; a reset request also per target email).
  {
    pattern: '/api/auth/verify-email',
    methods: ['POST'],
    upstream: 'users',
    access: 'public',
    kind: 'proxy',
  },
  {
    pattern: '/api/auth/password-reset/*',
    methods: ['POST'],
    upstream: 'users',
    access: 'public',
    kind: 'credentials',
  },
  // The login's second step: a TOTP or recovery code for the mfaToken the password step gave. Limited
  // per address here; users limits wrong codes per account and per mfaToken.
  {
    pattern: '/api/auth/login/mfa',
    methods: ['POST'],
    upstream: 'users',
    access: 'public',
    kind: 'credentials',
  },
  // Single sign-on is a browser's round trip through the provider, signed out; the sign-in page asks
  // which ways in exist before anyone is signed in.
  { pattern: '/api/auth/options', methods: ['GET'], upstream: 'users', access: 'public', kind: 'proxy' },
  {
    pattern: '/api/auth/oidc/*',
    methods: ['GET', 'POST'],
    upstream: 'users',
    access: 'public',
    kind: 'proxy',
  },
  { pattern: '/api/auth/*', upstream: 'users', access: 'viewer', kind: 'proxy' },
  // Its currentPassword is a credential check: a stolen access token must not guess the password.
  {
    pattern: '/api/account/password',
    methods: ['PUT'],
    upstream: 'users',
    access: 'viewer',
    kind: 'credentials',
  },
  // Starting and ending two-step sign-in check the password, like a password change.
  {
    pattern: '/api/account/two-factor/setup',
    methods: ['POST'],
    upstream: 'users',
    access: 'viewer',
    kind: 'credentials',
  },
  {
    pattern: '/api/account/two-factor/disable',
    methods: ['POST'],
    upstream: 'users',
    access: 'viewer',
    kind: 'credentials',
  },
  // Deleting the account checks the password: a stolen access token must not guess it either.
  { pattern: '/api/account', methods: ['DELETE'], upstream: 'users', access: 'viewer', kind: 'credentials' },
  { pattern: '/api/account/*', upstream: 'users', access: 'viewer', kind: 'proxy' },
  {
    pattern: '/api/profiles/:profileId/home',
    methods: ['GET', 'HEAD'],
    upstream: 'recommender',
    access: 'viewer',
    kind: 'home',
  },
  // Profile locks: setting or removing a PIN checks the account password, typing one checks the PIN.
  {
    pattern: '/api/profiles/:profileId/pin',
    methods: ['PUT', 'DELETE'],
    upstream: 'users',
    access: 'viewer',
    kind: 'credentials',
  },
  {
    pattern: '/api/profiles/:profileId/unlock',
    methods: ['POST'],
    upstream: 'users',
    access: 'viewer',
    kind: 'credentials',
  },
  { pattern: '/api/profiles/:profileId/*', upstream: 'users', access: 'viewer', kind: 'proxy' },
  { pattern: '/api/profiles', upstream: 'users', access: 'viewer', kind: 'proxy' },
  { pattern: '/api/titles/*', upstream: 'streaming', access: 'viewer', kind: 'proxy' },
  {
    pattern: '/api/playback',
    methods: ['POST'],
    upstream: 'streaming',
    access: 'viewer',
    kind: 'proxy',
    profileInBody: 'profileId',
  },
  // Instant play (issue 23): a preparation names its profile like a start, so the same ownership check.
  {
    pattern: '/api/playback/prepare',
    methods: ['POST'],
    upstream: 'streaming',
    access: 'viewer',
    kind: 'proxy',
    profileInBody: 'profileId',
  },
  // Player telemetry (issue 18): analytics checks the session is the caller's and live.
  {
    pattern: '/api/playback/:sessionId/telemetry',
    methods: ['POST'],
    upstream: 'analytics',
    access: 'viewer',
    kind: 'proxy',
  },
  {
    pattern: '/api/playback/:sessionId',
    methods: ['DELETE'],
    upstream: 'streaming',
    access: 'viewer',
    kind: 'proxy',
    releases: true,
  },
  { pattern: '/api/playback/*', upstream: 'streaming', access: 'viewer', kind: 'proxy' },
  { pattern: '/api/steering/*', upstream: 'streaming', access: 'optional', kind: 'proxy' },
  { pattern: '/api/admin/titles/*', upstream: 'streaming', access: 'admin', kind: 'proxy' },
  { pattern: '/api/admin/uploads/*', upstream: 'storage', access: 'admin', kind: 'upload' },
  { pattern: '/api/admin/backups/*', upstream: 'storage', access: 'admin', kind: 'proxy' },
  { pattern: '/api/admin/edges/*', upstream: 'streaming', access: 'admin', kind: 'proxy' },
  { pattern: '/api/admin/plan-changes/*', upstream: 'users', access: 'admin', kind: 'proxy' },
  { pattern: '/api/admin/users/*', upstream: 'users', access: 'admin', kind: 'proxy' },
  { pattern: '/api/admin/mail', methods: ['GET'], upstream: 'users', access: 'admin', kind: 'proxy' },
  { pattern: '/api/admin/queue/*', upstream: 'encoder', access: 'admin', kind: 'proxy' },
  { pattern: '/api/admin/analytics/*', upstream: 'analytics', access: 'admin', kind: 'proxy' },
  {
    pattern: '/api/admin/health',
    methods: ['GET', 'HEAD'],
    upstream: 'gateway',
    access: 'admin',
    kind: 'health',
  },
  {
    pattern: '/api/admin/chaos',
    methods: ['GET', 'HEAD'],
    upstream: 'gateway',
    access: 'admin',
    kind: 'chaos',
  },
];

export interface RouteMatch {
  rule: RouteRule;
  params: Record<string, string>;
}

/** A pattern split once: its literal and `:name` segments, and whether it ends in `/*`. */
interface CompiledPattern {
  fixed: readonly string[];
  prefix: boolean;
}

/**
 * Patterns are compiled on first use and kept per pattern string: splitting every rule's pattern on
 * every request was a visible share of a proxied call's CPU (bench/gateway).
 */
const compiled = new Map<string, CompiledPattern>();

function compile(pattern: string): CompiledPattern {
  let known = compiled.get(pattern);
  if (!known) {
    const parts = pattern.split('/').slice(1);
    const prefix = parts.at(-1) === '*';
    known = { fixed: prefix ? parts.slice(0, -1) : parts, prefix };
    compiled.set(pattern, known);
  }
  return known;
}

function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const { fixed, prefix } = compile(pattern);
  if (prefix ? segments.length < fixed.length : segments.length !== fixed.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < fixed.length; i++) {
    const part = fixed[i]!;
    const segment = segments[i]!;
    if (part.charCodeAt(0) === 58 /* : */) {
      if (segment === '') return undefined;
      (params ??= {})[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params ?? NO_PARAMS;
}

/** The params of a match without captures (frozen: shared by every such match). */
const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The rule for a method and a normalised path (see normalisePath), or undefined (404). */
export function matchRoute(
  method: string,
  path: string,
  table: readonly RouteRule[] = ROUTES,
): RouteMatch | undefined {
  // A trailing slash addresses the same resource; '/api/titles/' must not dodge '/api/titles/*'.
  const trimmed = path.charCodeAt(path.length - 1) === 47 /* / */ ? path.replace(/\/+$/, '') : path;
  const segments = trimmed.split('/').slice(1);
  for (const rule of table) {
    if (rule.methods && !rule.methods.includes(method)) continue;
    const params = matchPattern(rule.pattern, segments);
    if (params) return { rule, params };
  }
  return undefined;
}

/**
 * The path as upstream routers will see it (percent-decoded), or undefined when it must be refused:
 * dot segments, empty segments, encoded slashes or backslashes, control characters or bad encoding.
 * Matching on the decoded form means `/api/%61dmin/…` is judged as the admin path it will become.
 */
export function normalisePath(rawPath: string): string | undefined {
  if (!rawPath.startsWith('/') || rawPath.includes('\\')) return undefined;
  let decoded = rawPath;
  // Most paths hold no escape at all: nothing to decode then.
  if (rawPath.includes('%')) {
    if (/%(2f|5c|00)/i.test(rawPath)) return undefined;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
  }
  return REFUSED_IN_PATH.test(decoded) ? undefined : decoded;
}

/**
 * Control characters and backslashes, an empty segment other than a trailing one (`//`), and dot
 * segments (`/.` or `/..` as a whole segment): one scan of the decoded path.
 */
// eslint-disable-next-line no-control-regex
const REFUSED_IN_PATH = /[\u0000-\u001f\u007f\\]|\/\/|\/\.\.?(?:\/|$)/;
