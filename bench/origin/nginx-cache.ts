import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runNginx, type RunningNginx } from '../edge/nginx.js';

/**
 * Debian's nginx as a caching reverse proxy: proxy_cache on disk with `max_size` = the disk budget,
 * one cache entry per URI, concurrent misses of one URI locked into one fill (as the edge coalesces),
 * kept-alive connections to the origin, sendfile for hits, 2 workers. Run as root (CI, here), its workers
 * stay root too, so they can write the cache under a private temporary directory.
 */
export async function startNginxCache(options: {
  dir: string;
  port: number;
  origin: string;
  maxBytes: number;
}): Promise<RunningNginx> {
  const prefix = join(options.dir, 'nginx-cache');
  await mkdir(join(prefix, 'cache'), { recursive: true });
  const upstream = new URL(options.origin);
  return runNginx(
    prefix,
    options.port,
    `  proxy_cache_path ${prefix}/cache levels=1:2 keys_zone=edge:32m max_size=${options.maxBytes} inactive=7d use_temp_path=off;
  upstream origin { server ${upstream.host}; keepalive 32; }
  server {
    listen 127.0.0.1:${options.port};
    location / {
      proxy_pass http://origin/n/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache edge;
      proxy_cache_key $uri;
      proxy_cache_valid 200 365d;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 30s;
      add_header X-Cache $upstream_cache_status;
    }
  }`,
  );
}
