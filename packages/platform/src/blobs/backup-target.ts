import { basename, dirname, join, resolve } from 'node:path';
import type { Settings } from '@marquee/core';
import { ConfigError } from '@marquee/core';
import type { Readable } from 'node:stream';
import type { BlobStore } from './port.js';
import { openBlobStore, s3OptionsFromSettings } from './open.js';
import type { GoodCopies } from './repair.js';

/**
 * Where backups are kept: any blob store, so a directory and an S3 bucket behave the same. Layout
 * under the optional prefix:
 *
 * - `backups/<id>/started`: written first; a backup without a manifest is unfinished (or in progress).
 * - `backups/<id>/manifest.json`: written last; its presence is what makes a backup exist.
 * - `backups/<id>/databases/<name>`: SQLite snapshots or the PostgreSQL dump.
 * - `backups/<id>/restore-test.json`: the outcome of the last restore test of that backup, if any.
 * - `content/sha256/<2 hex>/<64 hex>`: blob bytes by content, shared by every backup, so an object
 *   already there is never copied again.
 */
export interface BackupTarget {
  store: BlobStore;
  /** For people: the directory or s3:// URL. */
  description: string;
  prefix: string;
  close(): Promise<void>;
}

export const targetKeys = {
  backupsFolder: 'backups/',
  started: (id: string) => `backups/${id}/started`,
  manifest: (id: string) => `backups/${id}/manifest.json`,
  restoreTest: (id: string) => `backups/${id}/restore-test.json`,
  database: (id: string, file: string) => `backups/${id}/databases/${file}`,
  file: (id: string, name: string) => `backups/${id}/files/${name}`,
  backupFolder: (id: string) => `backups/${id}/`,
  content: (sha256: string) => `content/sha256/${sha256.slice(0, 2)}/${sha256}`,
  contentFolder: 'content/sha256/',
};

/** The default target: a folder beside the data directory (`./data` → `./data-backups`). */
export function defaultTargetDir(dataDir: string): string {
  const absolute = resolve(dataDir);
  return join(dirname(absolute), `${basename(absolute)}-backups`);
}

export type TargetLocation = { dir: string } | { bucket: string; prefix: string };

/** Reads BACKUP_TARGET: an `s3://bucket[/prefix]` URL or a directory path (default beside the data). */
export function targetLocation(
  settings: Pick<Settings, 'BACKUP_TARGET' | 'MARQUEE_DATA_DIR'>,
): TargetLocation {
  const raw = settings.BACKUP_TARGET;
  if (!raw) return { dir: defaultTargetDir(settings.MARQUEE_DATA_DIR) };
  if (!raw.startsWith('s3://')) return { dir: resolve(raw) };
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(raw);
  if (!match) throw new ConfigError([`BACKUP_TARGET: "${raw}" is not s3://bucket[/prefix] or a directory`]);
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  return { bucket: match[1]!, prefix: prefix ? `${prefix}/` : '' };
}

export async function openBackupTarget(settings: Settings): Promise<BackupTarget> {
  const location = targetLocation(settings);
  if ('dir' in location) {
    const store = await openBlobStore({ root: location.dir });
    return { store, description: location.dir, prefix: '', close: () => store.close() };
  }
  if (!settings.S3_ENDPOINT) {
    throw new ConfigError([
      'BACKUP_TARGET: an s3:// target needs S3_ENDPOINT (and S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)',
    ]);
  }
  const store = await openBlobStore({ s3: s3OptionsFromSettings(settings, location.bucket) });
  const description = `s3://${location.bucket}/${location.prefix}`;
  return {
    store: withPrefix(store, location.prefix),
    description,
    prefix: location.prefix,
    close: () => store.close(),
  };
}

/** A view of `store` where every key lives under `prefix` (which ends in '/' or is empty). */
export function withPrefix(store: BlobStore, prefix: string): BlobStore {
  if (!prefix) return store;
  return {
    put: (key, body, options) => store.put(prefix + key, body, options).then((info) => ({ ...info, key })),
    get: (key, range) =>
      store.get(prefix + key, range).then((read) => ({ ...read, info: { ...read.info, key } })),
    head: (key) => store.head(prefix + key).then((info) => (info ? { ...info, key } : undefined)),
    delete: (key) => store.delete(prefix + key),
    async *list(listPrefix) {
      for await (const info of store.list(prefix + listPrefix))
        yield { ...info, key: info.key.slice(prefix.length) };
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/**
 * The backup target as a source of good copies for the integrity scrubber: blob bytes are kept there by
 * content (`content/sha256/...`), so a corrupt live object is found by the SHA-256 it should have.
 */
export function backupCopies(target: Pick<BackupTarget, 'store'>): GoodCopies {
  return {
    async open(sha256: string): Promise<Readable | undefined> {
      const key = targetKeys.content(sha256);
      if (!(await target.store.head(key))) return undefined;
      return (await target.store.get(key)).body;
    },
  };
}
