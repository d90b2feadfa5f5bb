import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as tus from 'tus-js-client';
import { login } from '../../../packages/cli/src/ingest.js';

/** Test fixtures through the public API, as an operator's script would make them. */
export class CatalogFixtures {
  private constructor(
    private readonly gateway: string,
    private readonly token: string,
  ) {}

  static async asAdmin(gateway: string, admin: { email: string; password: string }) {
    return new CatalogFixtures(gateway, await login(gateway, admin.email, admin.password));
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.gateway}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async createTitle(title: {
    type: 'movie' | 'series';
    name: string;
    maturity: string;
    genres?: string[];
    synopsis?: string;
    year?: number;
  }): Promise<string> {
    const body = { synopsis: '', year: 2024, genres: [], ...title };
    return (await this.call<{ titleId: string }>('POST', '/api/admin/titles', body)).titleId;
  }

  async addEpisode(seriesId: string, episode: { season: number; number: number; name: string }) {
    const path = `/api/admin/titles/${seriesId}/episodes`;
    return (await this.call<{ titleId: string }>('POST', path, episode)).titleId;
  }

  /** Uploads a title's source with tus, as the console and `marquee ingest` do. */
  async upload(titleId: string, file: string): Promise<void> {
    const size = (await stat(file)).size;
    await new Promise<void>((resolve, reject) => {
      new tus.Upload(createReadStream(file), {
        endpoint: `${this.gateway}/api/admin/uploads`,
        uploadSize: size,
        chunkSize: 16 * 1024 * 1024,
        headers: { authorization: `Bearer ${this.token}` },
        metadata: { titleId, filename: basename(file) },
        retryDelays: [0, 500, 2000],
        onSuccess: () => resolve(),
        onError: reject,
      }).start();
    });
  }

  /** Polls the admin API until the title's asset is ready; a failed encode fails with its reason. */
  async waitReady(titleId: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no asset';
    while (Date.now() < deadline) {
      const t = await this.call<{ asset: { state: string; reason: string | null } | null }>(
        'GET',
        `/api/admin/titles/${titleId}`,
      );
      if (t.asset?.state === 'ready') return;
      if (t.asset?.state === 'failed') throw new Error(`encoding ${titleId} failed: ${t.asset.reason}`);
      last = t.asset?.state ?? 'no asset';
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`title ${titleId} was not ready within ${timeoutMs} ms (last state: ${last})`);
  }

  async assetOf(titleId: string): Promise<string> {
    const t = await this.call<{ asset: { assetId: string } | null }>('GET', `/api/admin/titles/${titleId}`);
    if (!t.asset) throw new Error(`title ${titleId} has no asset`);
    return t.asset.assetId;
  }

  /** Creates a movie, uploads its source and waits until it can be played. */
  async movie(name: string, file: string, maturity = 'PG', genres: string[] = ['Drama']): Promise<string> {
    const titleId = await this.createTitle({ type: 'movie', name, maturity, genres });
    await this.upload(titleId, file);
    await this.waitReady(titleId);
    return titleId;
  }
}

/** A viewer account made through the API, for tests whose subject is not sign-up. */
export async function signUp(
  gateway: string,
  plan: 'basic' | 'standard' | 'premium' = 'standard',
): Promise<{ email: string; password: string }> {
  const email = `viewer-${Date.now()}-${Math.floor(Math.random() * 1e6)}@marquee.test`;
  const password = 'correct horse battery staple';
  const res = await fetch(`${gateway}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, plan }),
  });
  if (res.status !== 201) throw new Error(`signup answered ${res.status}: ${await res.text()}`);
  return { email, password };
}
