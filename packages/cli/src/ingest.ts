import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as tus from 'tus-js-client';
import { formatBytes, ProgressBar } from './progress-bar.js';

export interface IngestOptions {
  file: string;
  title: string;
  gateway: string;
  token: string;
  type?: 'movie';
  synopsis?: string;
  year?: number;
  maturity?: string;
  genres?: string[];
  /** Resume a previous upload of the same file (tus URL), printed when an upload is interrupted. */
  uploadUrl?: string;
  pollMs?: number;
}

interface AdminTitle {
  titleId: string;
  asset?: { state: string; progress?: number; reason?: string; renditions?: { height: number }[] } | null;
}

async function api<T>(
  gateway: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${gateway}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new Error(`${method} ${path} answered ${res.status}: ${detail}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Logs in with email and password and returns an access token. */
export async function login(gateway: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${gateway}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login as ${email} failed (${res.status}): ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * `marquee ingest`: creates the title, uploads the file with tus (resumable, with a progress bar),
 * then follows encoding until the asset is ready or failed. Resolves with the final state.
 */
export async function ingest(
  options: IngestOptions,
): Promise<{ titleId: string; state: string; reason?: string }> {
  const size = (await stat(options.file)).size;
  const { titleId } = await api<{ titleId: string }>(
    options.gateway,
    options.token,
    'POST',
    '/api/admin/titles',
    {
      type: options.type ?? 'movie',
      name: options.title,
      synopsis: options.synopsis ?? '',
      year: options.year ?? new Date().getFullYear(),
      maturity: options.maturity ?? 'PG',
      genres: options.genres ?? [],
    },
  );
  process.stderr.write(`created title ${titleId} "${options.title}"\n`);

  const bar = new ProgressBar('upload ');
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(options.file), {
      endpoint: `${options.gateway}/api/admin/uploads`,
      ...(options.uploadUrl ? { uploadUrl: options.uploadUrl } : {}),
      uploadSize: size,
      chunkSize: 16 * 1024 * 1024,
      headers: { authorization: `Bearer ${options.token}` },
      metadata: { titleId, filename: basename(options.file) },
      retryDelays: [0, 1000, 3000, 5000, 10000],
      onProgress: (sent, total) => bar.update(sent / total, `${formatBytes(sent)} / ${formatBytes(total)}`),
      onSuccess: () => {
        bar.done(`done: ${formatBytes(size)}`);
        resolve();
      },
      onError: (err) => {
        bar.done(`interrupted; resume with --resume ${upload.url ?? '(no url yet)'}`);
        reject(err);
      },
    });
    upload.start();
  });

  const encode = new ProgressBar('encode ');
  for (;;) {
    const title = await api<AdminTitle>(
      options.gateway,
      options.token,
      'GET',
      `/api/admin/titles/${titleId}`,
    );
    const asset = title.asset;
    if (asset?.state === 'ready') {
      encode.done(`ready: ${(asset.renditions ?? []).map((r) => `${r.height}p`).join(', ')}`);
      return { titleId, state: 'ready' };
    }
    if (asset?.state === 'failed') {
      encode.done(`failed: ${asset.reason ?? 'no reason given'}`);
      return { titleId, state: 'failed', ...(asset.reason ? { reason: asset.reason } : {}) };
    }
    encode.update(asset?.progress ?? 0, asset?.state ?? 'waiting');
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
}
