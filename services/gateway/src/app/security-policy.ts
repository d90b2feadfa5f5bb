/**
 * The Content-Security-Policy of the web app. The player streams from the edges, which live on other
 * origins: hls.js fetches playlists and segments with XHR (connect-src), feeds them to MSE through
 * blob: URLs (media-src blob:) and runs its transmuxer in a blob: worker (worker-src blob:). Posters
 * and trickplay sprites are images from the edges too.
 */
export function contentSecurityPolicy(edgeOrigins: readonly string[]): Record<string, string[]> {
  const edges = [...new Set(edgeOrigins)];
  return {
    'default-src': ["'self'"],
    'base-uri': ["'self'"],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'form-action': ["'self'"],
    'script-src': ["'self'"],
    // React sets style attributes; inline <style> stays out of scripts' reach either way.
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'", 'data:'],
    'img-src': ["'self'", 'data:', 'blob:', ...edges],
    'media-src': ["'self'", 'blob:', ...edges],
    'connect-src': ["'self'", ...edges],
    'worker-src': ["'self'", 'blob:'],
  };
}

/** Origins (scheme://host:port) of URLs, ignoring anything unparsable. */
export function originsOf(urls: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const u of urls) {
    try {
      origins.add(new URL(u).origin);
    } catch {
      // a bad URL would already have failed settings validation; nothing to allow
    }
  }
  return [...origins];
}
