import { retryAfterSeconds, viewerMessage } from './messages';

/** A problem+json answer from the API, kept whole so the UI can say exactly what went wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

const STORAGE_KEY = 'marquee.tokens';
/**
 * Profile keys (docs/users.md, profile locks): what POST /api/profiles/:id/unlock answers for a locked
 * profile once its PIN is typed. The gateway wants it, as `Marquee-Profile-Key`, on every request that
 * names that profile. Kept per tab like the chosen profile, and only for this session.
 */
const PROFILE_KEYS = 'marquee.profileKeys';
type Listener = (tokens: Tokens | null) => void;
const listeners = new Set<Listener>();

export function loadTokens(): Tokens | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

export function saveTokens(tokens: Tokens | null): void {
  if (tokens) localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  else {
    localStorage.removeItem(STORAGE_KEY);
    // Profile keys are bound to the session that typed the PIN: worthless once it ends.
    sessionStorage.removeItem(PROFILE_KEYS);
  }
  for (const l of listeners) l(tokens);
}

export function onTokens(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let refreshing: Promise<Tokens | null> | null = null;

/** Rotates the refresh token once for all concurrent callers; a failed rotation signs the viewer out. */
async function refresh(): Promise<Tokens | null> {
  const current = loadTokens();
  if (!current) return null;
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!res.ok) {
        saveTokens(null);
        return null;
      }
      const body = (await res.json()) as { accessToken: string; refreshToken: string; expiresIn: number };
      const next = {
        accessToken: body.accessToken,
        refreshToken: body.refreshToken,
        expiresAt: Date.now() + body.expiresIn * 1000,
      };
      saveTokens(next);
      return next;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/**
 * Rotates now instead of near expiry: the role a token carries is decided when it is issued, so after
 * enrolling in two-step sign-in an admin's next token is the one with the admin role.
 */
export async function refreshNow(): Promise<void> {
  await refresh();
}

export async function accessToken(): Promise<string | null> {
  let tokens = loadTokens();
  if (tokens && tokens.expiresAt - Date.now() < 30_000) tokens = await refresh();
  return tokens?.accessToken ?? null;
}

async function toError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  const code = typeof body.code === 'string' ? body.code : 'unknown';
  const detail = typeof body.detail === 'string' ? body.detail : undefined;
  const wait = retryAfterSeconds(res.headers.get('retry-after'), body);
  return new ApiError(res.status, code, viewerMessage(res.status, code, detail, wait, body), body);
}

/** Where the session keeps the profile chosen on "Who's watching?" (this tab only). */
export const PROFILE_KEY = 'marquee.profile';

/** The chosen profile's id: the API refuses profile changes to a client acting as a kids profile. */
function actingProfileId(): string | null {
  try {
    const profile = JSON.parse(sessionStorage.getItem(PROFILE_KEY) ?? 'null') as {
      profileId?: unknown;
    } | null;
    return typeof profile?.profileId === 'string' ? profile.profileId : null;
  } catch {
    return null;
  }
}

type ProfileKeys = Record<string, { key: string; expiresAt: string }>;

function readProfileKeys(): ProfileKeys {
  try {
    return (JSON.parse(sessionStorage.getItem(PROFILE_KEYS) ?? '{}') as ProfileKeys | null) ?? {};
  } catch {
    return {};
  }
}

export function rememberProfileKey(profileId: string, key: string, expiresAt: string): void {
  const keys = readProfileKeys();
  keys[profileId] = { key, expiresAt };
  sessionStorage.setItem(PROFILE_KEYS, JSON.stringify(keys));
}

function profileKeyFor(profileId: string | null): string | null {
  if (!profileId) return null;
  const entry = readProfileKeys()[profileId];
  return entry && Date.parse(entry.expiresAt) > Date.now() ? entry.key : null;
}

/** The profile a request names as the gateway reads it: in its path, else in its body, else the acting one. */
function namedProfileId(path: string, body: unknown, acting: string | null): string | null {
  const inPath = /^\/api\/profiles\/([^/?#]+)/.exec(path)?.[1];
  if (inPath) return decodeURIComponent(inPath);
  const inBody = (body as { profileId?: unknown } | undefined)?.profileId;
  return typeof inBody === 'string' ? inBody : acting;
}

/**
 * JSON call to the gateway with the viewer's token, acting profile (`Marquee-Profile`) and, for a
 * locked profile whose PIN was typed, its profile key; refreshes the token once on 401.
 */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal; keepalive?: boolean } = {},
): Promise<T> {
  const acting = actingProfileId();
  const profileKey = profileKeyFor(namedProfileId(path, init.body, acting));
  const send = async (token: string | null) =>
    fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(acting ? { 'marquee-profile': acting } : {}),
        ...(profileKey ? { 'marquee-profile-key': profileKey } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: init.signal,
      keepalive: init.keepalive,
    });
  let res = await send(await accessToken());
  if (res.status === 401 && loadTokens()) {
    const next = await refresh();
    if (next) res = await send(next.accessToken);
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
