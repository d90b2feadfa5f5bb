import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { NGINX } from '../edge/nginx.js';

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
}): Promise<{ stop(): Promise<void> }> {
  const prefix = join(options.dir, 'nginx-cache');
  for (const sub of ['logs', 'tmp', 'cache']) await mkdir(join(prefix, sub), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  const upstream = new URL(options.origin);
  await writeFile(
    conf,
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 2;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  proxy_cache_path ${prefix}/cache levels=1:2 keys_zone=edge:32m max_size=${options.maxBytes} inactive=7d use_temp_path=off;
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
  }
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port: options.port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${options.port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
