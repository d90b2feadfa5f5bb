import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHeaders, serviceToken, SERVICE_TOKEN_HEADER } from '@marquee/core';
import type { DeliveredEvent } from '@marquee/platform';
import type { TestContext } from '@marquee/platform/testing';
import {
  adminHeaders,
  SECRET,
  tusUpload,
  tusUploadHalf,
  startStorage,
  type RunningStorage,
} from './fixtures.js';

const execFileAsync = promisify(execFile);
let running: RunningStorage;
let ctx: TestContext;
let base: string;
const uploaded: DeliveredEvent[] = [];

beforeAll(async () => {
  running = await startStorage({ group: 'test-observer', types: ['media.uploaded'], into: uploaded });
  ({ ctx, base } = running);
});

afterAll(async () => {
  await running?.stop();
});

/** Runs curl as a user would (its own Expect handling), answering the final status and headers. */
async function curl(args: string[]) {
  const { stdout } = await execFileAsync('curl', ['-sS', '-D', '-', '-o', '/dev/null', ...args]);
  const blocks = stdout.trim().split(/\r?\n\r?\n/);
  const last = blocks.at(-1)!.split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of last.slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return {
    status: Number(last[0]!.split(' ')[1]),
    headers,
    continued: blocks.some((b) => / 100 /.test(b.split(/\r?\n/)[0]!)),
  };
}

async function waitForEvent(assetId: string): Promise<DeliveredEvent> {
  for (let i = 0; i < 100; i++) {
    const found = uploaded.find((d) => (d.event.data as { assetId: string }).assetId === assetId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no media.uploaded for ${assetId}`);
}

describe('tus uploads', () => {
  it('resumes an upload interrupted at 50% and stores identical bytes, then announces media.uploaded', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const sha = createHash('sha256').update(data).digest('hex');
    // First attempt: abort after the first half.
    const url = await tusUploadHalf(base, data);
    const head = await fetch(url, { method: 'HEAD', headers: { ...adminHeaders, 'tus-resumable': '1.0.0' } });
    expect(Number(head.headers.get('upload-offset'))).toBe(Math.ceil(data.length / 2));

    // Second attempt resumes from the offset the server reports.
    const resumed = await tusUpload(base, data, { uploadUrl: url });
    expect(resumed.url).toBe(url);
    const assetId = 'asset1';
    const delivery = await waitForEvent(assetId);
    expect(delivery.event.data).toMatchObject({
      assetId,
      titleId: 't1',
      filename: 'film.mp4',
      size: data.length,
      sha256: sha,
    });
    const key = (delivery.event.data as { key: string }).key;
    expect(key).toBe('sources/asset1/source.mp4');
    expect((await ctx.blobs.head(key))?.sha256).toBe(sha);
  });

  it('takes a plain curl upload of a file (Expect: 100-continue) and answers HEAD on it once finished', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-curl-'));
    try {
      const data = randomBytes(3 * 1024 * 1024 + 5); // over 1 MiB: curl sends Expect: 100-continue
      const file = join(dir, 'film.mp4');
      await writeFile(file, data);
      const headers = Object.entries({ ...adminHeaders, 'tus-resumable': '1.0.0' }).flatMap(([k, v]) => [
        '-H',
        `${k}: ${v}`,
      ]);
      const meta = `titleId ${Buffer.from('t-curl').toString('base64')},filename ${Buffer.from('film.mp4').toString('base64')}`;
      const created = await curl([
        ...headers,
        '-X',
        'POST',
        '-H',
        `Upload-Length: ${data.length}`,
        '-H',
        `Upload-Metadata: ${meta}`,
        `${base}/api/admin/uploads`,
      ]);
      expect(created.status).toBe(201);
      const location = created.headers.location!;
      const patched = await curl([
        ...headers,
        '-X',
        'PATCH',
        '-H',
        'Content-Type: application/offset+octet-stream',
        '-H',
        'Upload-Offset: 0',
        '--data-binary',
        `@${file}`,
        new URL(location, base).href,
      ]);
      expect(patched.continued).toBe(true); // curl did wait for 100 Continue
      expect(patched.status).toBe(204);
      expect(Number(patched.headers['upload-offset'])).toBe(data.length);
      const head = await curl([...headers, '-I', new URL(location, base).href]);
      expect(head.status).toBe(200);
      expect(head.headers['upload-offset']).toBe(String(data.length));
      expect(head.headers['upload-length']).toBe(String(data.length));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad metadata and unknown titles before taking a byte', async () => {
    await expect(
      tusUpload(base, randomBytes(10), { metadata: { titleId: 't1', filename: '../etc/passwd' } }),
    ).rejects.toThrow(/400/);
    await expect(
      tusUpload(base, randomBytes(10), { metadata: { titleId: 'missing', filename: 'a.mp4' } }),
    ).rejects.toThrow(/404/);
  });

  it('refuses callers without the admin role or without the service token', async () => {
    const viewer = {
      [SERVICE_TOKEN_HEADER]: serviceToken(SECRET),
      ...identityHeaders({ accountId: 'v', role: 'viewer', plan: 'basic' }),
    };
    await expect(tusUpload(base, randomBytes(10), { headers: viewer })).rejects.toThrow(/403/);
    await expect(tusUpload(base, randomBytes(10), { headers: {} })).rejects.toThrow(/401/);
  });

  it('refuses uploads larger than the configured maximum', async () => {
    const res = await fetch(`${base}/api/admin/uploads`, {
      method: 'POST',
      headers: {
        ...adminHeaders,
        'tus-resumable': '1.0.0',
        'upload-length': String(ctx.settings.UPLOAD_MAX_BYTES + 1),
        'upload-metadata': `titleId ${Buffer.from('t1').toString('base64')},filename ${Buffer.from('a.mp4').toString('base64')}`,
      },
    });
    expect(res.status).toBe(413);
  });
});

describe('origin', () => {
  it('serves objects with strong ETags, ranges and immutable caching, only to services', async () => {
    const body = Buffer.from('0123456789abcdefghij');
    const info = await ctx.blobs.put('assets/a9/v0/seg_1.m4s', body, { contentType: 'video/iso.segment' });
    const token = { [SERVICE_TOKEN_HEADER]: serviceToken(SECRET) };
    const whole = await fetch(`${base}/origin/assets/a9/v0/seg_1.m4s`, { headers: token });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('etag')).toBe(`"${info.sha256}"`);
    expect(whole.headers.get('cache-control')).toMatch(/immutable/);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(body);

    const part = await fetch(`${base}/origin/assets/a9/v0/seg_1.m4s`, {
      headers: { ...token, range: 'bytes=5-9' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 5-9/20');
    expect(await part.text()).toBe('56789');

    const past = await fetch(`${base}/origin/assets/a9/v0/seg_1.m4s`, {
      headers: { ...token, range: 'bytes=20-' },
    });
    expect(past.status).toBe(416);

    const cached = await fetch(`${base}/origin/assets/a9/v0/seg_1.m4s`, {
      headers: { ...token, 'if-none-match': `"${info.sha256}"` },
    });
    expect(cached.status).toBe(304);

    expect((await fetch(`${base}/origin/assets/a9/v0/seg_1.m4s`)).status).toBe(401);
    expect((await fetch(`${base}/origin/assets/nope`, { headers: token })).status).toBe(404);
    expect((await fetch(`${base}/origin/..%2F..%2Fetc%2Fpasswd`, { headers: token })).status).toBe(400);
  });
});
