/**
 * The little of HLS the prefetch reads: which variant and audio rendition hls.js will start on, and the
 * init and first segments of a media playlist. Hand-read rather than with hls-parser, which the web
 * bundle does not carry: only four tags matter here, and a playlist this misreads only costs a
 * prefetch the player then does itself.
 */

export interface StartFiles {
  /** Absolute URLs of the media playlists to prefetch (the variant's, then its audio's). */
  playlists: string[];
}

function attributes(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

interface Variant {
  attrs: Record<string, string>;
  uri: string;
}

/**
 * The variant the player starts on: the lowest (height, then bandwidth) of the initial steering
 * pathway whose codecs the browser plays — the cheapest to fetch ahead and the quickest first frame;
 * the loader makes hls.js start there (prepare-loader.ts) and ABR climbs from it. Its playlist, and
 * its default audio rendition's when the audio is separate.
 */
export function startPlaylists(
  master: string,
  masterUrl: string,
  playable: (codecs: string) => boolean = () => true,
): StartFiles | null {
  const lines = master.split(/\r?\n/).map((l) => l.trim());
  const steering = lines.find((l) => l.startsWith('#EXT-X-CONTENT-STEERING:'));
  const initialPathway = steering ? attributes(steering)['PATHWAY-ID'] : undefined;
  const variants: Variant[] = [];
  const audio: Record<string, string>[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const uri = lines.slice(i + 1).find((l) => l !== '' && !l.startsWith('#'));
      if (uri) variants.push({ attrs: attributes(line), uri });
    } else if (line.startsWith('#EXT-X-MEDIA:')) {
      const attrs = attributes(line);
      if (attrs.TYPE === 'AUDIO' && attrs.URI) audio.push(attrs);
    }
  });
  const pathway = initialPathway ?? variants[0]?.attrs['PATHWAY-ID'];
  const height = (v: Variant) => Number(v.attrs.RESOLUTION?.split('x')[1] ?? 0);
  const start = variants
    .filter((v) => (v.attrs['PATHWAY-ID'] ?? pathway) === pathway)
    .filter((v) => !v.attrs.CODECS || playable(v.attrs.CODECS))
    .sort((a, b) => height(a) - height(b) || Number(a.attrs.BANDWIDTH) - Number(b.attrs.BANDWIDTH))[0];
  if (!start) return null;
  const playlists = [new URL(start.uri, masterUrl).href];
  const group = start.attrs.AUDIO;
  if (group) {
    const members = audio.filter((a) => a['GROUP-ID'] === group);
    const chosen = members.find((a) => a.DEFAULT === 'YES') ?? members[0];
    if (chosen?.URI) playlists.push(new URL(chosen.URI, masterUrl).href);
  }
  return { playlists };
}

/** The init segment and the segment playing at `position` (seconds) of a media playlist. */
export function startSegments(playlist: string, playlistUrl: string, position: number): string[] {
  const lines = playlist.split(/\r?\n/).map((l) => l.trim());
  const files: string[] = [];
  const map = lines.find((l) => l.startsWith('#EXT-X-MAP:'));
  const init = map ? attributes(map).URI : undefined;
  if (init) files.push(new URL(init, playlistUrl).href);
  let at = 0;
  let duration: number | undefined;
  for (const line of lines) {
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line !== '' && !line.startsWith('#') && duration !== undefined) {
      if (position < at + duration) {
        files.push(new URL(line, playlistUrl).href);
        break;
      }
      at += duration;
      duration = undefined;
    }
  }
  return files;
}

/** The video codec families of a master's variants (`av1` for av01 CODECS, else `h264`, as the edge reads them). */
export function codecFamilies(master: string): Set<'av1' | 'h264'> {
  const families = new Set<'av1' | 'h264'>();
  for (const line of master.split(/\r?\n/)) {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    families.add(/(^|,)\s*av01\./i.test(attributes(line).CODECS ?? '') ? 'av1' : 'h264');
  }
  return families;
}
