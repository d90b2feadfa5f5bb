import {
  heightOf,
  isRelativeUri,
  parseAttributes,
  quote,
  serializeAttributes,
  splitTag,
  unquote,
  type AttributeList,
} from './hls-attributes.js';

/**
 * The master playlist one playback session receives, written by the edge from the asset's master:
 *
 * - only the variants the session's token allows (RESOLUTION height ≤ maxHeight), and only the audio
 *   and subtitle groups those variants use;
 * - with two or more edges, HLS Content Steering: `#EXT-X-CONTENT-STEERING` naming the steering server,
 *   and every variant and rendition repeated once per edge (its Pathway), with absolute URIs on that
 *   edge. Relative URIs cannot work here: they would all resolve against whichever edge served the
 *   master, so a player steered away from a dead edge would keep fetching from it. Each pathway gets
 *   its own GROUP-IDs (a group must belong to one pathway; ExoPlayer rejects a shared one) and the
 *   same STABLE-VARIANT-ID / STABLE-RENDITION-ID, so a player keeps its quality and language across
 *   a pathway switch;
 * - with one edge, the original relative URIs, which inherit the edge and token from the master URL.
 */
export interface Pathway {
  /** Pathway id (the edge id): letters, digits, '.', '-', '_'. */
  id: string;
  /** Absolute URL of the asset root on this edge, with the token: `https://edge/t/<token>/a/<asset>/`. */
  assetBase: string;
}

export interface SessionMasterOptions {
  maxHeight: number;
  /** Pathways in preference order; the first is the initial one. */
  pathways: readonly Pathway[];
  /** Steering manifest URL of this session (used when there are several pathways). */
  steeringUri?: string;
}

interface Variant {
  tag: 'EXT-X-STREAM-INF' | 'EXT-X-I-FRAME-STREAM-INF';
  attrs: AttributeList;
  /** The URI line of an EXT-X-STREAM-INF (I-frame streams carry theirs in URI=). */
  uri?: string;
}

const GROUP_REFS = ['AUDIO', 'SUBTITLES', 'CLOSED-CAPTIONS', 'VIDEO'] as const;
/** Tags the steered master writes itself or that only make sense once. */
const DROPPED = new Set(['EXT-X-CONTENT-STEERING']);

function stableId(text: string): string {
  return text.replace(/[^A-Za-z0-9+/=._-]/g, '_').slice(0, 64) || 'x';
}

export function buildSessionMaster(master: string, options: SessionMasterOptions): string {
  const header: string[] = [];
  const media: AttributeList[] = [];
  const variants: Variant[] = [];
  let pending: AttributeList | undefined;
  for (const raw of master.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (!line.startsWith('#')) {
      if (pending) variants.push({ tag: 'EXT-X-STREAM-INF', attrs: pending, uri: line });
      pending = undefined;
      continue;
    }
    const [tag, rest] = splitTag(line);
    if (tag === 'EXT-X-STREAM-INF') pending = parseAttributes(rest);
    else if (tag === 'EXT-X-I-FRAME-STREAM-INF') variants.push({ tag, attrs: parseAttributes(rest) });
    else if (tag === 'EXT-X-MEDIA') media.push(parseAttributes(rest));
    else if (!DROPPED.has(tag) && (tag.startsWith('EXT') || tag === 'EXTM3U')) header.push(line);
  }

  const allowed = variants.filter((v) => (heightOf(v.attrs) ?? 0) <= options.maxHeight);
  // Group references name the EXT-X-MEDIA TYPE they point at (AUDIO=… → TYPE=AUDIO, and so on).
  const usedGroups = new Set<string>();
  for (const v of allowed) {
    for (const ref of GROUP_REFS) {
      const value = v.attrs.get(ref);
      if (value !== undefined && value !== 'NONE') usedGroups.add(`${ref}:${unquote(value)}`);
    }
  }
  const keptMedia = media.filter((m) => usedGroups.has(`${m.get('TYPE')}:${unquote(m.get('GROUP-ID'))}`));

  if (!header.some((l) => l === '#EXTM3U')) header.unshift('#EXTM3U');
  const steered = options.pathways.length > 1 && options.steeringUri !== undefined;
  const out = [...header];
  if (!steered) {
    const base = options.pathways[0]?.assetBase;
    for (const m of keptMedia) out.push(`#EXT-X-MEDIA:${serializeAttributes(withUri(m, base, false))}`);
    for (const v of allowed) out.push(...variantLines(v, base, false));
    return `${out.join('\n')}\n`;
  }

  const first = options.pathways[0]!;
  out.push(`#EXT-X-CONTENT-STEERING:SERVER-URI=${quote(options.steeringUri!)},PATHWAY-ID=${quote(first.id)}`);
  for (const pathway of options.pathways) {
    const suffix = (group: string) => `${group}.${pathway.id}`;
    for (const m of keptMedia) {
      const attrs = withUri(m, pathway.assetBase, true);
      const group = unquote(m.get('GROUP-ID')) ?? '';
      attrs.set('GROUP-ID', quote(suffix(group)));
      if (!attrs.has('STABLE-RENDITION-ID')) {
        attrs.set('STABLE-RENDITION-ID', quote(stableId(`${group}-${unquote(m.get('NAME')) ?? ''}`)));
      }
      out.push(`#EXT-X-MEDIA:${serializeAttributes(attrs)}`);
    }
    allowed.forEach((v, index) => {
      const attrs = new Map(v.attrs);
      for (const ref of GROUP_REFS) {
        const value = attrs.get(ref);
        if (value !== undefined && value !== 'NONE') attrs.set(ref, quote(suffix(unquote(value) ?? '')));
      }
      attrs.set('PATHWAY-ID', quote(pathway.id));
      if (!attrs.has('STABLE-VARIANT-ID')) attrs.set('STABLE-VARIANT-ID', quote(`v${index}`));
      out.push(...variantLines({ ...v, attrs }, pathway.assetBase, true));
    });
  }
  return `${out.join('\n')}\n`;
}

function absolute(uri: string, base: string | undefined, force: boolean): string {
  return force && base !== undefined && isRelativeUri(uri) ? new URL(uri, base).toString() : uri;
}

function withUri(attrs: AttributeList, base: string | undefined, force: boolean): AttributeList {
  const copy = new Map(attrs);
  const uri = unquote(copy.get('URI'));
  if (uri !== undefined) copy.set('URI', quote(absolute(uri, base, force)));
  return copy;
}

function variantLines(v: Variant, base: string | undefined, force: boolean): string[] {
  if (v.tag === 'EXT-X-I-FRAME-STREAM-INF') {
    return [`#EXT-X-I-FRAME-STREAM-INF:${serializeAttributes(withUri(v.attrs, base, force))}`];
  }
  return [`#EXT-X-STREAM-INF:${serializeAttributes(v.attrs)}`, absolute(v.uri ?? '', base, force)];
}
