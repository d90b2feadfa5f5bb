import type { DashAsset, DashAudio, DashSegments, DashText, DashVideo } from './dash-asset.js';

/**
 * The MPD (ISO/IEC 23009-1, static, one Period) one playback session receives, written from an
 * asset's DASH description:
 *
 * - only the video renditions the session's token allows (height ≤ maxHeight), one AdaptationSet per
 *   codec family (a player switches within a set, and avc1 and av01 do not switch seamlessly), and
 *   only the audio and text renditions those variants use;
 * - one AdaptationSet per audio language (`lang`, Label, Role main on the default one) and one per
 *   WebVTT text track (a sidecar file, `text/vtt`);
 * - SegmentTemplate with `$Number$` *and* a SegmentTimeline carrying every segment's duration from the
 *   media playlist, at a microsecond timescale (EXTINF has six decimals): `$Number$` with a fixed
 *   `@duration` would drift from the media wherever a segment is not exactly 4 s — the last one
 *   always, and any cut by a stitched or variable GOP. A rendition whose file names do not follow one
 *   numbered pattern gets a SegmentList (with the same timeline) instead.
 *
 * URLs are relative: with one edge they resolve against the MPD's URL, so they inherit the edge and
 * the token. With two or more edges the MPD carries DASH Content Steering (DASH-IF CTS 001, as dash.js
 * ≥ 4.5 implements it): one MPD-level `<BaseURL serviceLocation="<edge id>">` per edge, absolute with
 * the token (`https://edge/t/<token>/a/<asset>/`), and `<ContentSteering>` naming the steering server,
 * the first edge as `defaultServiceLocation` and `queryBeforeStart="true"` (the player asks the server
 * before its first segment, so a start already lands on the edge ranked best). The relative segment
 * URLs then resolve under whichever BaseURL the player is steered to — the same files on every edge.
 */
export interface SessionMpdOptions {
  maxHeight: number;
  /** The edges in preference order (the first is the default); steered only with two or more. */
  serviceLocations?: readonly ServiceLocation[];
  /** The session's DASH steering manifest URL (used when there are several service locations). */
  steeringUri?: string;
}

export interface ServiceLocation {
  /** The edge id, as the steering server names it: letters, digits, '.', '-', '_'. */
  id: string;
  /** Absolute URL of the asset root on this edge, with the token, ending in '/'. */
  baseUrl: string;
}

const TIMESCALE = 1_000_000;
const ROLE = 'urn:mpeg:dash:role:2011';
const CHANNELS = 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011';

export function writeSessionMpd(asset: DashAsset, options: SessionMpdOptions): string {
  const videos = asset.videos.filter((v) => v.height <= options.maxHeight);
  const audioGroups = new Set(videos.map((v) => v.audioGroup));
  const textGroups = new Set(videos.map((v) => v.textGroup));
  const audios = asset.audios.filter((a) => audioGroups.has(a.group));
  const texts = asset.texts.filter((t) => textGroups.has(t.group));
  const listed = [...videos, ...audios].map((r) => r.segments);
  const templated = listed.every((s) => numberTemplate(s.media) !== undefined);

  const sets: string[] = [];
  const families = new Map<string, DashVideo[]>();
  for (const v of videos) {
    const family = v.codecs.slice(0, 4);
    families.set(family, [...(families.get(family) ?? []), v]);
  }
  for (const group of families.values()) sets.push(videoSet(sets.length, group));
  // One set per language: a player lists sets as languages, and switches rates within a set.
  const languages = new Map<string, DashAudio[]>();
  for (const a of audios) {
    const key = `${a.language ?? ''}\u0000${a.name}`;
    languages.set(key, [...(languages.get(key) ?? []), a]);
  }
  for (const group of languages.values()) sets.push(audioSet(sets.length, group));
  for (const t of texts) sets.push(textSet(sets.length, t));

  const profile = templated
    ? 'urn:mpeg:dash:profile:isoff-live:2011'
    : 'urn:mpeg:dash:profile:isoff-main:2011';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="${profile}" type="static"` +
      ` mediaPresentationDuration="${isoDuration(asset.durationSeconds)}"` +
      ` minBufferTime="${isoDuration(asset.maxSegmentSeconds)}">`,
    ...steering(options),
    `  <Period id="0" start="PT0S">`,
    ...sets,
    '  </Period>',
    '</MPD>',
    '',
  ].join('\n');
}

/** MPD-level BaseURL per service location, then ContentSteering; both before the Period. */
function steering({ serviceLocations = [], steeringUri }: SessionMpdOptions): string[] {
  if (serviceLocations.length < 2 || steeringUri === undefined) return [];
  return [
    ...serviceLocations.map((l) => `  <BaseURL serviceLocation="${xml(l.id)}">${xml(l.baseUrl)}</BaseURL>`),
    `  <ContentSteering defaultServiceLocation="${xml(serviceLocations[0]!.id)}" queryBeforeStart="true">` +
      `${xml(steeringUri)}</ContentSteering>`,
  ];
}

function videoSet(id: number, videos: DashVideo[]): string {
  const maxWidth = Math.max(...videos.map((v) => v.width));
  const maxHeight = Math.max(...videos.map((v) => v.height));
  const reps = videos.map((v) => {
    const rate = v.frameRate === undefined ? '' : ` frameRate="${frameRate(v.frameRate)}"`;
    return (
      `      <Representation id="${xml(v.id)}" bandwidth="${v.bandwidth}" width="${v.width}" height="${v.height}"` +
      ` codecs="${xml(v.codecs)}"${rate}>\n${segmentInfo(v.segments, '        ')}\n      </Representation>`
    );
  });
  return [
    `    <AdaptationSet id="${id}" contentType="video" mimeType="video/mp4" segmentAlignment="true"` +
      ` startWithSAP="1" maxWidth="${maxWidth}" maxHeight="${maxHeight}">`,
    ...reps,
    '    </AdaptationSet>',
  ].join('\n');
}

function audioSet(id: number, audios: DashAudio[]): string {
  const first = audios[0]!;
  const lang = first.language === undefined ? '' : ` lang="${xml(first.language)}"`;
  const reps = audios.map(
    (a) =>
      `      <Representation id="${xml(a.id)}" bandwidth="${a.bandwidth}" codecs="${xml(a.codecs)}">\n` +
      `        <AudioChannelConfiguration schemeIdUri="${CHANNELS}" value="${a.channels}"/>\n` +
      `${segmentInfo(a.segments, '        ')}\n      </Representation>`,
  );
  return [
    `    <AdaptationSet id="${id}" contentType="audio" mimeType="audio/mp4"${lang} segmentAlignment="true" startWithSAP="1">`,
    ...label(first.name),
    `      <Role schemeIdUri="${ROLE}" value="${audios.some((a) => a.isDefault) ? 'main' : 'alternate'}"/>`,
    ...reps,
    '    </AdaptationSet>',
  ].join('\n');
}

function textSet(id: number, text: DashText): string {
  const lang = text.language === undefined ? '' : ` lang="${xml(text.language)}"`;
  return [
    `    <AdaptationSet id="${id}" contentType="text" mimeType="text/vtt"${lang}>`,
    ...label(text.name),
    `      <Role schemeIdUri="${ROLE}" value="${text.forced ? 'forced-subtitle' : 'subtitle'}"/>`,
    `      <Representation id="${xml(text.id)}" bandwidth="256">`,
    `        <BaseURL>${xml(url(text.path))}</BaseURL>`,
    '      </Representation>',
    '    </AdaptationSet>',
  ].join('\n');
}

function label(name: string): string[] {
  return name ? [`      <Label>${xml(name)}</Label>`] : [];
}

/** SegmentTemplate (numbered files) or SegmentList, each with the exact timeline. */
function segmentInfo(segments: DashSegments, indent: string): string {
  const timeline = segmentTimeline(segments.durations, `${indent}  `);
  const template = numberTemplate(segments.media);
  if (template) {
    return [
      `${indent}<SegmentTemplate timescale="${TIMESCALE}" initialization="${xml(url(segments.initialization))}"` +
        ` media="${xml(template.media)}" startNumber="${template.startNumber}">`,
      timeline,
      `${indent}</SegmentTemplate>`,
    ].join('\n');
  }
  return [
    `${indent}<SegmentList timescale="${TIMESCALE}">`,
    `${indent}  <Initialization sourceURL="${xml(url(segments.initialization))}"/>`,
    timeline,
    ...segments.media.map((m) => `${indent}  <SegmentURL media="${xml(url(m))}"/>`),
    `${indent}</SegmentList>`,
  ].join('\n');
}

/**
 * `<S t d r>` runs. Each segment's start is its playlist start rounded to the timescale, and its
 * duration the difference to the next start, so rounding never accumulates over a long title.
 */
export function segmentTimeline(durations: readonly number[], indent = ''): string {
  const starts = [0];
  let sum = 0;
  for (const d of durations) {
    sum += d;
    starts.push(Math.round(sum * TIMESCALE));
  }
  const runs: { t: number; d: number; r: number }[] = [];
  for (let i = 0; i < durations.length; i++) {
    const d = starts[i + 1]! - starts[i]!;
    const last = runs.at(-1);
    if (last && last.d === d) last.r++;
    else runs.push({ t: starts[i]!, d, r: 0 });
  }
  const lines = runs.map(
    (run, i) =>
      `${indent}  <S${i === 0 ? ` t="${run.t}"` : ''} d="${run.d}"${run.r ? ` r="${run.r}"` : ''}/>`,
  );
  return [`${indent}<SegmentTimeline>`, ...lines, `${indent}</SegmentTimeline>`].join('\n');
}

/**
 * `dir/seg_$Number%05d$.m4s` when the paths are that pattern with consecutive numbers (as the
 * encoder writes them), else undefined.
 */
export function numberTemplate(paths: readonly string[]): { media: string; startNumber: number } | undefined {
  const first = paths[0];
  if (first === undefined) return undefined;
  // The number is a run of digits in the name before its extension (not the 4 of `.m4s`); the last
  // such run that fits every path wins.
  const dot = first.lastIndexOf('.');
  const end = dot > first.lastIndexOf('/') ? dot : first.length;
  const runs = [...first.slice(0, end).matchAll(/\d+/g)].reverse();
  for (const run of runs) {
    const prefix = first.slice(0, run.index);
    const digits = run[0];
    const suffix = first.slice(run.index + digits.length);
    const start = Number(digits);
    const padded = digits.startsWith('0');
    const name = (n: number) =>
      `${prefix}${padded ? String(n).padStart(digits.length, '0') : String(n)}${suffix}`;
    if (!paths.every((p, i) => p === name(start + i))) continue;
    const format = padded ? `%0${digits.length}d` : '';
    return { media: `${url(prefix)}$Number${format}$${url(suffix)}`, startNumber: start };
  }
  return undefined;
}

/** A path inside the asset as a relative URL (each segment percent-encoded; `$` too, for templates). */
function url(path: string): string {
  return path
    .split('/')
    .map((s) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

const XML_ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => XML_ENTITIES[c]!);
}

/** xs:duration with millisecond precision. */
function isoDuration(seconds: number): string {
  return `PT${(Math.round(seconds * 1000) / 1000).toFixed(3)}S`;
}

/** DASH's FrameRateType is an integer or a fraction: 29.97 → 30000/1001. */
export function frameRate(fps: number): string {
  if (Math.abs(fps - Math.round(fps)) < 0.001) return String(Math.round(fps));
  const ntsc = Math.round((fps * 1001) / 1000);
  if (Math.abs((ntsc * 1000) / 1001 - fps) < 0.005) return `${ntsc * 1000}/1001`;
  return `${Math.round(fps * 1000)}/1000`;
}
