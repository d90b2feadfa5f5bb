import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type ContentEncoding = 'br' | 'gzip';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text types worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|manifest\+json)|image\/svg\+xml)/;
export const isCompressible = (type: string) => COMPRESSIBLE.test(type);
/** Below this a compressed answer saves less than its headers cost. */
const MIN_BYTES = 1024;

/**
 * The encoding to answer with for an Accept-Encoding header: brotli when the browser takes it (every
 * current one does over HTTPS and loopback), else gzip, else none. `q=0` refuses a coding (RFC 9110 §12.5.3).
 */
export function chooseEncoding(
  acceptEncoding: string | undefined,
  type: string,
  size: number,
): ContentEncoding | undefined {
  if (!acceptEncoding || size < MIN_BYTES || !isCompressible(type)) return undefined;
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (coding && (q === undefined || Number(q) > 0)) accepted.add(coding.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return undefined;
}

/**
 * Compresses a whole file. Immutable assets are compressed once and kept (brotli at quality 9: most of
 * 11's gain at a fraction of its time, paid once per file and process); index.html, small and revalidated,
 * is compressed per answer at the faster default levels.
 */
export function compress(body: Buffer, encoding: ContentEncoding, once: boolean): Promise<Buffer> {
  if (encoding === 'gzip') return gz(body, { level: once ? 9 : 6 });
  return brotli(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: once ? 9 : 4,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}
