/**
 * HLS attribute lists (RFC 8216 §4.2): `KEY=VALUE` pairs separated by commas, where a value is a
 * quoted string (which may contain commas), a number, a resolution or an enumerated string. Order is
 * kept so a rewritten tag reads like the original.
 */
export type AttributeList = Map<string, string>;

/** Parses the part after `#EXT-X-…:`. Quoted values keep their quotes, so serialising is exact. */
export function parseAttributes(text: string): AttributeList {
  const out: AttributeList = new Map();
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const key = text.slice(i, eq).trim();
    let j = eq + 1;
    if (text[j] === '"') {
      const close = text.indexOf('"', j + 1);
      j = close < 0 ? text.length : close + 1;
    } else {
      const comma = text.indexOf(',', j);
      j = comma < 0 ? text.length : comma;
    }
    if (key) out.set(key, text.slice(eq + 1, j));
    i = text[j] === ',' ? j + 1 : j;
    while (text[i] === ',' || text[i] === ' ') i++;
  }
  return out;
}

export function serializeAttributes(attributes: AttributeList): string {
  return [...attributes].map(([k, v]) => `${k}=${v}`).join(',');
}

/** The value of a quoted-string attribute, without its quotes. */
export function unquote(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
}

/**
 * A quoted-string value. HLS quoted strings cannot contain a double quote or a line break (RFC 8216
 * §4.2): line breaks become spaces and double quotes ’, so a title's name survives readably.
 */
export function quote(value: string): string {
  return `"${value.replace(/[\r\n]/g, ' ').replace(/"/g, '\u2019')}"`;
}

/** Splits a tag line into its name and attribute text: `#EXT-X-MEDIA:TYPE=…` → ['EXT-X-MEDIA', 'TYPE=…']. */
export function splitTag(line: string): [string, string] {
  const colon = line.indexOf(':');
  return colon < 0 ? [line.slice(1), ''] : [line.slice(1, colon), line.slice(colon + 1)];
}

/** Is this URI relative to the playlist (the only kind an edge serves)? */
export function isRelativeUri(uri: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/');
}

/**
 * Resolves a relative URI against the directory of the playlist at `playlistPath` (both relative to
 * the asset root); undefined when it escapes the asset or is absolute.
 */
export function resolveAssetPath(playlistPath: string, uri: string): string | undefined {
  if (!isRelativeUri(uri)) return undefined;
  const base = new URL(`http://asset.invalid/root/${playlistPath}`);
  const resolved = new URL(uri, base);
  if (resolved.host !== 'asset.invalid' || !resolved.pathname.startsWith('/root/')) return undefined;
  return decodeURIComponent(resolved.pathname.slice('/root/'.length));
}
