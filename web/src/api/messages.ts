/**
 * What a person reads when a call fails. Problem details are written for operators ("title 816a… does
 * not exist", "Too many requests (credentialsPerEmail)"); a viewer gets a sentence without ids or
 * internal names, and a time to try again when the server gave one.
 */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** "30 seconds", "2 minutes", "1 hour": a wait as a person says it, rounded up. */
export function waitPhrase(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.ceil(m / 60);
  return `${h} hour${h === 1 ? '' : 's'}`;
}

/** Retry-After as seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, body: Record<string, unknown>): number | undefined {
  if (header) {
    const n = Number(header);
    if (Number.isFinite(n) && n >= 0) return n;
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, (at - Date.now()) / 1000);
  }
  return typeof body.retryAfter === 'number' ? body.retryAfter : undefined;
}

export function viewerMessage(
  status: number,
  code: string,
  detail: string | undefined,
  retryAfter: number | undefined,
  body: Record<string, unknown> = {},
): string {
  if (status === 429 || code === 'rate_limited')
    return retryAfter === undefined
      ? 'Too many attempts. Wait a moment and try again.'
      : `Too many attempts. Try again in ${waitPhrase(retryAfter)}.`;
  if (code === 'not_found' || status === 404) {
    // The catalog answers 404 for a title above the profile's maturity limit, as for a missing one.
    if (body.what === 'title' || /^title\b/i.test(detail ?? ''))
      return 'This title isn’t available on this profile.';
    if (body.what === 'profile' || /^profile\b/i.test(detail ?? '')) return 'That profile no longer exists.';
    return 'We couldn’t find what you were looking for.';
  }
  if (!detail) return `The server answered ${status}`;
  // Operator-facing details may still name records: leave the ids out of what a person reads.
  return detail.replace(UUID, 'this item').replace(/\s*\([a-zA-Z]+[A-Z][a-zA-Z]*\)/g, '');
}
