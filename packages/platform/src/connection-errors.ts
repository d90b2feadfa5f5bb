/**
 * Describing a server URL and a connection failure for an error message without leaking credentials:
 * only host and port are kept, never the user, password or query string.
 */
export function safeEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host || '(no host)';
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * The most useful text of a connection error. Node reports a refused dual-stack connect (`localhost`
 * resolving to ::1 and 127.0.0.1) as an AggregateError with an EMPTY message, so the inner errors'
 * messages or the error code are used instead.
 */
export function describeCause(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeCause))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.message) return error.message;
    if (typeof code === 'string') return code;
    return error.name;
  }
  return String(error);
}
