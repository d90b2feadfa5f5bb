import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runNginx, type RunningNginx } from './nginx.js';

const run = promisify(execFile);

/** A P-256 certificate for 127.0.0.1, as EDGE_TLS=self-signed makes one: nginx and the edge serve the same. */
export async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ]); // prettier-ignore
  return { cert, key };
}

/**
 * nginx serving `root` over TLS 1.3 only, with the certificate the edge uses. sendfile stays on: with
 * OpenSSL 3 and the kernel's tls module nginx can hand encryption to the kernel (kTLS) and keep
 * sendfile; without them it reads and encrypts in user space like any server. `ktls()` says which.
 */
export async function startNginxTls(
  dir: string,
  root: string,
  port: number,
  tls: { cert: string; key: string },
): Promise<RunningNginx & { ktls(): Promise<boolean> }> {
  const prefix = join(dir, 'nginx-tls');
  const nginx = await runNginx(
    prefix,
    port,
    `  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls.cert};
    ssl_certificate_key ${tls.key};
    ssl_protocols TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_conf_command Options KTLS;
    root ${root};
    location / { etag on; }
  }`,
  );
  return {
    ...nginx,
    // nginx logs "BIO_get_ktls_send()" at debug only; the kernel's counters say whether kTLS was used.
    ktls: async () => {
      const stat = await readFile('/proc/net/tls_stat', 'utf8').catch(() => '');
      return /TlsTxSw\s+[1-9]|TlsTxDevice\s+[1-9]/.test(stat);
    },
  };
}

/** CPU seconds (user + system) used so far by the given processes, from /proc (USER_HZ is 100 on Linux). */
export async function cpuSeconds(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

/** A process and its children (nginx's master and workers), by reading /proc once. */
export async function withChildren(pid: number): Promise<number[]> {
  const pids = [pid];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) pids.push(Number(entry));
  }
  return pids;
}
