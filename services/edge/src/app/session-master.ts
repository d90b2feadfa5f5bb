import {
  isRelativeUri,
  quote,
  readMasterPlaylist,
  resolutionHeight,
  splitTag,
  unquote,
  writeMasterPlaylist,
  type AttributeList,
  type MasterPlaylist,
  type MasterVariant,
} from '@marquee/core/hls';

/**
 * The master playlist one playback session receives, written by the edge from the asset's master:
 *
 * - only the variants the session's token allows (RESOLUTION height ≤ maxHeight) — of one codec family
 *   when the player asks for one (`codec`) — and only the audio and subtitle groups those variants use;
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
  /**
   * Only this codec family's variants (`?codec=av1|h264` on the master's URL: the player's choice).
   * A master without variants of that family (an asset encoded before AV1, or H.264-only) keeps all
   * its variants: the asset plays in what it has rather than not at all.
   */
  codec?: VideoCodecFamily;
  /** Pathways in preference order; the first is the initial one. */
  pathways: readonly Pathway[];
  /** Steering manifest URL of this session (used when there are several pathways). */
  steeringUri?: string;
}

export type VideoCodecFamily = 'h264' | 'av1';

/** A variant's codec family from its CODECS: `av01…` is AV1; anything else (or none) H.264, as old assets. */
export function videoCodecFamily(codecs: string): VideoCodecFamily {
  return /(^|,)\s*av01\./i.test(codecs) ? 'av1' : 'h264';
}

/** The `codec` query parameter of a master request, when it names a family. */
export function requestedCodec(url: string): VideoCodecFamily | undefined {
  const value = new URL(url, 'http://edge').searchParams.get('codec');
  return value === 'h264' || value === 'av1' ? value : undefined;
}

const GROUP_REFS = ['AUDIO', 'SUBTITLES', 'CLOSED-CAPTIONS', 'VIDEO'] as const;
/** Tags the steered master writes itself or that only make sense once. */
const DROPPED = new Set(['EXT-X-CONTENT-STEERING']);

function stableId(text: string): string {
  return text.replace(/[^A-Za-z0-9+/=._-]/g, '_').slice(0, 64) || 'x';
}

export function buildSessionMaster(master: string, options: SessionMasterOptions): string {
  const asset = readMasterPlaylist(master);
  const tags = asset.tags.filter((line) => !DROPPED.has(splitTag(line)[0]));
  const withinHeight = asset.variants.filter((v) => (resolutionHeight(v.attrs) ?? 0) <= options.maxHeight);
  const ofCodec = withinHeight.filter(
    (v) => videoCodecFamily(unquote(v.attrs.get('CODECS')) ?? '') === options.codec,
  );
  const allowed = options.codec !== undefined && ofCodec.length > 0 ? ofCodec : withinHeight;
  // Group references name the EXT-X-MEDIA TYPE they point at (AUDIO=… → TYPE=AUDIO, and so on).
  const usedGroups = new Set<string>();
  for (const v of allowed) {
    for (const ref of GROUP_REFS) {
      const value = v.attrs.get(ref);
      if (value !== undefined && value !== 'NONE') usedGroups.add(`${ref}:${unquote(value)}`);
    }
  }
  const keptMedia = asset.renditions.filter((m) =>
    usedGroups.has(`${m.get('TYPE')}:${unquote(m.get('GROUP-ID'))}`),
  );

  const steered = options.pathways.length > 1 && options.steeringUri !== undefined;
  if (!steered) {
    // One edge: the asset's relative URIs inherit the edge and the token from the master's URL.
    return writeMasterPlaylist({ tags, renditions: keptMedia, variants: allowed });
  }

  const first = options.pathways[0]!;
  const out: MasterPlaylist = {
    tags: [
      ...tags,
      `#EXT-X-CONTENT-STEERING:SERVER-URI=${quote(options.steeringUri!)},PATHWAY-ID=${quote(first.id)}`,
    ],
    renditions: [],
    variants: [],
  };
  for (const pathway of options.pathways) {
    const suffix = (group: string) => `${group}.${pathway.id}`;
    for (const m of keptMedia) {
      const attrs = withAbsoluteUri(m, pathway.assetBase);
      const group = unquote(m.get('GROUP-ID')) ?? '';
      attrs.set('GROUP-ID', quote(suffix(group)));
      if (!attrs.has('STABLE-RENDITION-ID')) {
        attrs.set('STABLE-RENDITION-ID', quote(stableId(`${group}-${unquote(m.get('NAME')) ?? ''}`)));
      }
      out.renditions.push(attrs);
    }
    allowed.forEach((v, index) => {
      const attrs = new Map(v.attrs);
      for (const ref of GROUP_REFS) {
        const value = attrs.get(ref);
        if (value !== undefined && value !== 'NONE') attrs.set(ref, quote(suffix(unquote(value) ?? '')));
      }
      attrs.set('PATHWAY-ID', quote(pathway.id));
      if (!attrs.has('STABLE-VARIANT-ID')) attrs.set('STABLE-VARIANT-ID', quote(`v${index}`));
      const variant: MasterVariant = { ...v, attrs, uri: absolute(v.uri, pathway.assetBase) };
      out.variants.push(variant);
    });
  }
  return writeMasterPlaylist(out);
}

function absolute(uri: string, base: string): string {
  return isRelativeUri(uri) ? new URL(uri, base).toString() : uri;
}

function withAbsoluteUri(attrs: AttributeList, base: string): AttributeList {
  const copy = new Map(attrs);
  const uri = unquote(copy.get('URI'));
  if (uri !== undefined) copy.set('URI', quote(absolute(uri, base)));
  return copy;
}
