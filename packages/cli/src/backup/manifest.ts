import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** A file of the backup itself (a database snapshot, the dump, the secret) and where it goes back. */
const StoredFile = Type.Object({
  /** `users.sqlite`, `events.sqlite`, `postgres.dump`, `secret`. */
  name: Type.String({ minLength: 1 }),
  key: Type.String({ minLength: 1 }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Sha256,
});

const BlobEntry = Type.Object({
  key: Type.String({ minLength: 1 }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Sha256,
  contentType: Type.String(),
});

export const ManifestSchema = Type.Object({
  format: Type.Literal(1),
  id: Type.String({ pattern: '^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$' }),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  /** `embedded`: SQLite files of every service and the event log; `postgres`: one pg_dump of the schemas. */
  database: Type.Union([Type.Literal('embedded'), Type.Literal('postgres')]),
  /** The PostgreSQL schemas in the dump. */
  schemas: Type.Array(Type.String()),
  databases: Type.Array(StoredFile),
  files: Type.Array(StoredFile),
  blobs: Type.Array(BlobEntry),
  stats: Type.Object({
    durationMs: Type.Number(),
    /** Bytes of databases, files and blobs the backup describes. */
    totalBytes: Type.Integer({ minimum: 0 }),
    blobsCopied: Type.Integer({ minimum: 0 }),
    blobsAlreadyThere: Type.Integer({ minimum: 0 }),
    bytesCopied: Type.Integer({ minimum: 0 }),
  }),
});

export type Manifest = Static<typeof ManifestSchema>;
export type StoredFileEntry = Static<typeof StoredFile>;
export type BlobEntryShape = Static<typeof BlobEntry>;

export class ManifestError extends Error {
  constructor(id: string, detail: string) {
    super(`backup ${id}: its manifest is unreadable (${detail})`);
  }
}

export function parseManifest(id: string, bytes: Buffer): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ManifestError(id, (error as Error).message);
  }
  const first = Value.Errors(ManifestSchema, parsed).First();
  if (first) throw new ManifestError(id, `${first.path || '/'}: ${first.message}`);
  return parsed as Manifest;
}

/** `20261206-111342-a1b2`: sorts by time, and two backups in one second still differ. */
export function newBackupId(now: Date, random: string): string {
  const iso = now.toISOString(); // 2026-12-06T11:13:42.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${random}`;
}

/** When the backup started, read back from its id. */
export function backupTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(id);
  if (!m) return new Date(Number.NaN);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}
