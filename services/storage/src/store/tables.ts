export type UploadState = 'receiving' | 'stored' | 'ready' | 'failed' | 'expired';

/** One tus upload and what became of it. Instants are ISO-8601 text (see platform db/columns.ts). */
export interface UploadsTable {
  upload_id: string;
  asset_id: string;
  title_id: string;
  filename: string;
  kind: 'source' | 'subtitle';
  language: string | null;
  size: number | null;
  state: UploadState;
  blob_key: string | null;
  sha256: string | null;
  created_at: string;
  stored_at: string | null;
  settled_at: string | null;
}

export interface ScrubTable {
  id: string;
  blob_key: string;
  expected: string;
  actual: string;
  found_at: string;
}

export interface StorageTables {
  uploads: UploadsTable;
  scrub_mismatches: ScrubTable;
}
