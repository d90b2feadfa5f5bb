import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

export interface RunningNginx {
  /** The master's pid; its workers are its children. */
  pid: number;
  stop(): Promise<void>;
}

/** Debian's nginx on a loopback port, serving `root` with sendfile and 2 workers, in the foreground. */
export function startNginx(dir: string, root: string, port: number): Promise<RunningNginx> {
  return runNginx(
    join(dir, 'nginx'),
    port,
    `  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { etag on; }
  }`,
  );
}

/**
 * Runs nginx in the foreground under `prefix` with the settings every bench shares (2 workers, sendfile,
 * no access log, private temp paths) and `http` inside its http block; resolves once `port` accepts
 * connections. As root its workers stay root, so they can write under a private temporary directory.
 */
export async function runNginx(prefix: string, port: number, http: string): Promise<RunningNginx> {
  for (const sub of ['logs', 'tmp']) await mkdir(join(prefix, sub), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
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
${http}
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
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
