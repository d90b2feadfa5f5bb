import { extname } from 'node:path';

export interface UploadMetadata {
  titleId: string;
  filename: string;
  kind: 'source' | 'subtitle';
  /** BCP-47-ish language of a subtitle sidecar (from metadata, else from `name.<lang>.srt`, else 'und'). */
  language: string | null;
}

const SUBTITLE_EXTENSIONS = new Set(['.srt', '.vtt']);
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;

/**
 * Checks tus Upload-Metadata before a single byte is accepted. Returns the parsed metadata or a
 * sentence saying what is wrong. The filename is only a label: it never becomes a path.
 */
export function parseUploadMetadata(raw: Record<string, string | null | undefined>): UploadMetadata | string {
  const titleId = raw.titleId ?? '';
  if (!SAFE_ID.test(titleId)) return 'Upload-Metadata must carry titleId, the id of an existing title';
  const filename = (raw.filename ?? '').trim();
  if (filename.length === 0 || filename.length > 255)
    return 'Upload-Metadata must carry filename (1–255 characters)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(filename))
    return 'filename must be a plain file name without slashes or control characters';
  const ext = extname(filename).toLowerCase();
  const kind = SUBTITLE_EXTENSIONS.has(ext) ? 'subtitle' : 'source';
  let language: string | null = null;
  if (kind === 'subtitle') {
    const fromName = /\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.(srt|vtt)$/i.exec(filename)?.[1];
    language = (raw.language ?? fromName ?? 'und').toLowerCase();
    if (language !== 'und' && !LANGUAGE.test(language))
      return `language "${language}" is not a language tag like en or pt-BR`;
  }
  return { titleId, filename, kind, language };
}

/** Where an upload is kept in the blob store: derived from ids only, never from the client's filename. */
export function blobKeyFor(meta: UploadMetadata, assetId: string, uploadId: string): string {
  const ext =
    extname(meta.filename)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, '')
      .slice(0, 10) || '.bin';
  return meta.kind === 'subtitle'
    ? `sidecars/${meta.titleId}/${meta.language ?? 'und'}-${uploadId}${ext}`
    : `sources/${assetId}/source${ext}`;
}
