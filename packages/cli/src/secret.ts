import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

async function readSecret(file: string): Promise<string | undefined> {
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    return existing.length >= 32 ? existing : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
}

/**
 * MARQUEE_SECRET when set; otherwise a random secret generated once into the data dir (mode 0600), so a
 * laptop install needs no setup and restarts keep signed URLs and service tokens valid. Several
 * processes sharing the data dir may start at once: the secret is written to a private file and then
 * hard-linked into place, which succeeds for exactly one of them, and the others read the winner's.
 */
export async function loadOrCreateSecret(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, 'secret');
  const existing = await readSecret(file);
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  const candidate = join(dataDir, `secret.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(candidate, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(candidate, file);
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = await readSecret(file);
    if (!winner) throw new Error(`${file} exists but holds no secret: delete it or set MARQUEE_SECRET`);
    return winner;
  } finally {
    await unlink(candidate).catch(() => undefined);
  }
}
