import type { Logger, ServiceClient } from '@marquee/core';
import {
  readWholeBlob,
  type BlobStore,
  type EventBus,
  type EventData,
  type EventHandler,
  type Subscription,
} from '@marquee/platform';
import {
  assetPlaylistFiles,
  namedPlaylists,
  readMasterPlaylist,
  readMediaPlaylist,
  resolveAssetPath,
  unquote,
  type PlaylistFiles,
} from '@marquee/core/hls';
import { MediaRejectedError } from '../app/errors.js';
import { renditionName, toBcp47, UNKNOWN_LANGUAGE_NAME } from '../app/languages.js';
import { addedSubtitleDir, derivedAssetId, withSubtitleRendition } from '../app/subtitle-addition.js';
import { sidecarToVtt, subtitlePlaylist, withTimestampMap } from '../app/subtitles.js';
import { assetPrefix, finishedSummary, MASTER_KEY, SUMMARY_KEY } from './asset-blobs.js';

type Encoded = EventData<'media.encoded'>;
type StoredSummary = Encoded & {
  subtitles?: { name: string; language: string | null }[];
  playlists?: PlaylistFiles[];
  [key: string]: unknown;
};

export const SUBTITLE_GROUP_NAME = 'encoder-subtitles';
const MAX_SIDECAR_BYTES = 10 * 1024 * 1024;

export interface AddSubtitleDeps {
  bus: EventBus;
  blobs: BlobStore;
  /** Streaming's internal API: which asset a title plays now. */
  streaming: Pick<ServiceClient, 'get'>;
  logger: Logger;
  /** While the title's newest video is still encoding, ask again this often (default 5 s)… */
  pollMs?: number;
  /** …for at most this long (default 6 h), then add the subtitle to whatever is ready. */
  maxWaitMs?: number;
}

/**
 * Handles `media.subtitle.uploaded`. A title with a ready asset gets a new asset: its objects copied
 * (no decoding, no encoding), the sidecar converted to a WebVTT rendition, a master naming it, and
 * `media.encoded` for the new asset, which streaming makes the title's playable asset. Edges see it
 * as any new asset (new URLs, nothing to invalidate). A title with nothing ready yet needs nothing:
 * its encode reads every sidecar stored by then. A sidecar that is not valid SRT/WebVTT is logged and
 * dropped (the title keeps playing as it was).
 */
export function addSubtitleHandler(deps: AddSubtitleDeps): EventHandler<'media.subtitle.uploaded'> {
  const pollMs = deps.pollMs ?? 5_000;
  const maxWaitMs = deps.maxWaitMs ?? 6 * 3_600_000;
  return async (delivery) => {
    const { titleId, key, filename, language } = delivery.event.data;
    const log = deps.logger.child({ titleId, sidecar: key });
    const readTitle = async () => {
      const res = await deps.streaming.get<{ readyAssetId?: string | null; encoding?: boolean }>(
        `/internal/titles/${encodeURIComponent(titleId)}`,
      );
      if (res.status !== 200 && res.status !== 404)
        throw new Error(`streaming answered ${res.status} for title ${titleId}`);
      return res.status === 404 ? undefined : res.body;
    };
    let title = await readTitle();
    // A video still encoding may or may not have read this sidecar when it started: wait for it to be
    // ready, then add the subtitle unless it is there already (compared by content below).
    const waitUntil = Date.now() + maxWaitMs;
    while (title?.encoding && Date.now() < waitUntil) {
      void delivery.extendLease().catch((err: unknown) => log.warn({ err }, 'lease not extended'));
      await new Promise((r) => setTimeout(r, pollMs));
      title = await readTitle();
    }
    if (!title) return log.info('subtitle for a title that no longer exists; dropped');
    const baseId = title.readyAssetId;
    if (!baseId) return log.info('title not encoded yet: its encode will read the subtitle');

    // Checked first: a file that is not a subtitle is the operator's mistake, not worth a retry.
    const sidecar = await readWholeBlob(deps.blobs, key);
    let vtt: string;
    try {
      if (sidecar.length > MAX_SIDECAR_BYTES)
        throw new MediaRejectedError('The subtitle file is larger than 10 MiB.');
      vtt = withTimestampMap(sidecarToVtt(filename, sidecar.toString('utf8')));
    } catch (err) {
      if (err instanceof MediaRejectedError) return log.warn({ reason: err.reason }, 'subtitle rejected');
      throw err;
    }
    const newId = derivedAssetId(baseId, key);
    const done = await finishedSummary<StoredSummary>(deps.blobs, newId);
    if (done) {
      // Made by an earlier delivery: say it again (without the file lists, which never travel).
      const { playlists: _files, ...data } = done;
      await deps.bus.publish({ type: 'media.encoded', source: 'encoder', subject: newId, data });
      return;
    }
    const base = await finishedSummary<StoredSummary>(deps.blobs, baseId);
    if (!base) throw new Error(`asset ${baseId} has no summary to add a subtitle to`);
    const baseMaster = (await readWholeBlob(deps.blobs, `${assetPrefix(baseId)}${MASTER_KEY}`)).toString(
      'utf8',
    );

    if (await hasSubtitleText(deps.blobs, baseId, baseMaster, vtt)) {
      return log.info('the ready asset has this subtitle already (its encode read the file)');
    }
    const lang = toBcp47(language === 'und' ? undefined : language);
    const dir = addedSubtitleDir(key);
    const added = withSubtitleRendition(baseMaster, {
      uri: `${dir}/index.m3u8`,
      name: renditionName(lang, undefined, UNKNOWN_LANGUAGE_NAME),
      language: lang,
    });
    if (!added) return log.info('the asset has this subtitle already');

    await copyAsset(deps.blobs, baseId, newId);
    const prefix = assetPrefix(newId);
    await deps.blobs.put(`${prefix}${dir}/index.vtt`, vtt, { contentType: 'text/vtt; charset=utf-8' });
    await deps.blobs.put(`${prefix}${dir}/index.m3u8`, subtitlePlaylist('index.vtt', base.durationSeconds), {
      contentType: 'application/vnd.apple.mpegurl',
    });
    const rebase = (k: unknown) =>
      typeof k === 'string' && k.startsWith(assetPrefix(baseId))
        ? `${prefix}${k.slice(assetPrefix(baseId).length)}`
        : k;
    const { playlists: _baseFiles, ...announced } = base;
    const summary = {
      ...announced,
      assetId: newId,
      posterKey: rebase(base.posterKey),
      masterKey: rebase(base.masterKey),
      trickplayKey: rebase(base.trickplayKey),
      subtitles: [...(base.subtitles ?? []), { name: added.name, language: lang ?? null }],
    } as Encoded;
    // What edges build their rendition index from: read back from the new asset's own playlists.
    const stored = { ...summary, playlists: await playlistFilesOf(deps.blobs, newId, added.master) };
    await deps.blobs.put(`${prefix}${SUMMARY_KEY}`, JSON.stringify(stored), {
      contentType: 'application/json',
    });
    // The master last: until it is there the new asset is not playable (as for every encode).
    await deps.blobs.put(`${prefix}${MASTER_KEY}`, added.master, {
      contentType: 'application/vnd.apple.mpegurl',
    });
    await deps.bus.publish({ type: 'media.encoded', source: 'encoder', subject: newId, data: summary });
    log.info({ baseAssetId: baseId, assetId: newId, name: added.name }, 'subtitle added without re-encoding');
  };
}

async function playlistFilesOf(blobs: BlobStore, assetId: string, masterText: string) {
  const master = readMasterPlaylist(masterText);
  const texts = new Map<string, string>();
  for (const { path } of namedPlaylists(master, MASTER_KEY)) {
    texts.set(path, (await readWholeBlob(blobs, `${assetPrefix(assetId)}${path}`)).toString('utf8'));
  }
  return assetPlaylistFiles(master, (path) => texts.get(path), MASTER_KEY);
}

/** The cues of a WebVTT file without its header (X-TIMESTAMP-MAP and the like) and blank-line noise. */
function cueText(vtt: string): string {
  const body = vtt
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .slice(1);
  return body
    .map((block) => block.trim())
    .filter(Boolean)
    .join('\n\n');
}

/** Does one of the asset's subtitle renditions already hold these cues? */
async function hasSubtitleText(
  blobs: BlobStore,
  assetId: string,
  masterText: string,
  vtt: string,
): Promise<boolean> {
  const wanted = cueText(vtt);
  const read = async (path: string) =>
    (await readWholeBlob(blobs, `${assetPrefix(assetId)}${path}`).catch(() => undefined))?.toString('utf8');
  for (const rendition of readMasterPlaylist(masterText).renditions) {
    if (rendition.get('TYPE') !== 'SUBTITLES') continue;
    const playlistPath = resolveAssetPath(MASTER_KEY, unquote(rendition.get('URI')) ?? '');
    const playlist = playlistPath && (await read(playlistPath));
    if (!playlist) continue;
    for (const uri of readMediaPlaylist(playlist).fileUris) {
      const file = resolveAssetPath(playlistPath, uri);
      const existing = file && (await read(file));
      if (existing && cueText(existing) === wanted) return true;
    }
  }
  return false;
}

/** Every object of the base asset but its master and summary, which the new asset writes itself. */
async function copyAsset(blobs: BlobStore, fromId: string, toId: string): Promise<void> {
  const from = assetPrefix(fromId);
  const keys: { key: string; contentType: string | undefined }[] = [];
  for await (const info of blobs.list(from)) {
    const rest = info.key.slice(from.length);
    if (rest !== MASTER_KEY && rest !== SUMMARY_KEY)
      keys.push({ key: info.key, contentType: info.contentType });
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const { key, contentType } = keys[next++]!;
      const { body } = await blobs.get(key);
      await blobs.put(
        `${assetPrefix(toId)}${key.slice(from.length)}`,
        body,
        contentType ? { contentType } : {},
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, keys.length) }, worker));
}

/** The durable consumer: one group for every encoder replica; a failure is redelivered. */
export function startSubtitleAdder(deps: AddSubtitleDeps): Promise<Subscription> {
  return deps.bus.subscribe({
    group: SUBTITLE_GROUP_NAME,
    types: ['media.subtitle.uploaded'],
    // A handler may wait for an encode (extending its lease): others still go through.
    concurrency: 4,
    handler: addSubtitleHandler(deps),
  });
}
