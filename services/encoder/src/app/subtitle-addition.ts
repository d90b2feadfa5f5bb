import { createHash } from 'node:crypto';
import { quote, readMasterPlaylist, unquote, writeMasterPlaylist } from '@marquee/core/hls';
import { SUBTITLE_GROUP } from './master-playlist.js';

/**
 * Adding a subtitle to an asset that is already encoded (issue 22 item 12): objects under
 * `assets/<id>/` never change once published (edges cache them for a year), so the result is a NEW
 * asset holding the same video and audio objects, one more subtitle rendition and a new master. Its
 * id is derived from the old asset and the sidecar, so a redelivered event makes the same asset.
 */
export function derivedAssetId(baseAssetId: string, sidecarKey: string): string {
  return createHash('sha256').update(`${baseAssetId}\n${sidecarKey}`).digest('hex').slice(0, 32);
}

/** The new rendition's directory: named by the sidecar, never colliding with the encoder's `subs_<n>`. */
export function addedSubtitleDir(sidecarKey: string): string {
  return `subs_added_${createHash('sha256').update(sidecarKey).digest('hex').slice(0, 12)}`;
}

export interface AddedSubtitle {
  /** Path of its playlist inside the asset, e.g. `subs_added_ab12/index.m3u8`. */
  uri: string;
  /** The base name, e.g. "Spanish"; numbered when the group already has one of that name. */
  name: string;
  language: string | undefined;
}

/**
 * The master with one more subtitle rendition (in the group the master already uses, else `subs`),
 * and every video variant pointing at that group. Everything else is kept as written. Returns the
 * master and the name the rendition got; `undefined` when the master names that playlist already.
 */
export function withSubtitleRendition(
  masterText: string,
  subtitle: AddedSubtitle,
): { master: string; name: string } | undefined {
  const master = readMasterPlaylist(masterText);
  const subtitles = master.renditions.filter((r) => r.get('TYPE') === 'SUBTITLES');
  if (subtitles.some((r) => unquote(r.get('URI')) === subtitle.uri)) return undefined;
  const group = unquote(subtitles[0]?.get('GROUP-ID')) ?? SUBTITLE_GROUP;
  const taken = new Set(subtitles.map((r) => unquote(r.get('NAME'))));
  let name = subtitle.name;
  for (let n = 2; taken.has(name); n++) name = `${subtitle.name} (${n})`;
  const attrs = new Map<string, string>([
    ['TYPE', 'SUBTITLES'],
    ['GROUP-ID', quote(group)],
    ['NAME', quote(name)],
    ...(subtitle.language ? ([['LANGUAGE', quote(subtitle.language)]] as [string, string][]) : []),
    ['DEFAULT', 'NO'],
    ['AUTOSELECT', 'YES'],
    ['FORCED', 'NO'],
    ['URI', quote(subtitle.uri)],
  ]);
  // After the last subtitle rendition (or after all renditions), so the order players list them in holds.
  const lastSubtitle = master.renditions.lastIndexOf(subtitles.at(-1)!);
  const at = subtitles.length > 0 ? lastSubtitle + 1 : master.renditions.length;
  const renditions = [...master.renditions.slice(0, at), attrs, ...master.renditions.slice(at)];
  const variants = master.variants.map((v) =>
    v.iFrame || v.attrs.has('SUBTITLES')
      ? v
      : { ...v, attrs: new Map(v.attrs).set('SUBTITLES', quote(group)) },
  );
  return { master: writeMasterPlaylist({ ...master, renditions, variants }), name };
}
