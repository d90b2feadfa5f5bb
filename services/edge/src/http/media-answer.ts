import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import {
  DomainError,
  NotFoundError,
  parseRangeHeader,
  ProblemCatalogue,
  type Logger,
  type MediaTokenPayload,
} from '@marquee/core';
import { CONTENT_KEY_PATH } from '@marquee/core/content-keys';
import { DASH_MANIFEST, dashSteeringUri, writeSessionMpd } from '@marquee/core/dash';
import { admitPath, admitToken, type MediaRefusalCode } from '../app/access.js';
import { cmcdSample } from '../app/cmcd.js';
import {
  blobKeyOf,
  MASTER_PLAYLIST,
  parseMediaPath,
  type MediaRequest as ParsedMediaRequest,
} from '../app/media-path.js';
import { edgeProblems } from '../app/problems.js';
import { isMediaFile } from '../app/rendition-index.js';
import { buildSessionMaster, requestedCodec } from '../app/session-master.js';
import type { VerifiedMediaTokens } from '../app/verified-media-tokens.js';
import type { AssetPlaylists } from '../cache/asset-playlists.js';
import type { CachedObject } from '../cache/cached-object.js';
import type { MediaCache } from '../cache/media-cache.js';
import type { EdgeMetrics, ServedFrom } from '../edge-metrics.js';
import type { Peer } from '../jobs/steering-reporter.js';
import type { ContentKeyFetch } from '../origin/content-keys.js';
import type { LoadGauge } from '../load-gauge.js';

/** Media answers are written here, not by the server's error handler: the same catalogue. */
const problems = new ProblemCatalogue(edgeProblems);

interface Tiers {
  cache: MediaCache;
  playlists: AssetPlaylists;
}

export interface MediaDeps {
  tokens: VerifiedMediaTokens;
  /** The cache tiers once loaded (start()); undefined while the edge is starting. */
  tiers: () => Tiers | undefined;
  metrics: EdgeMetrics;
  load: LoadGauge;
  logger: Logger;
  /** This edge first, then the other live edges. */
  peers: () => Peer[];
  steeringBaseUrl: () => string;
  /** Streaming's content-key answer for a session (undefined: a standalone edge, which has none). */
  contentKeys?: ContentKeyFetch;
}

/** What one media request gets: status, headers and the body (none for HEAD and 304). */
export interface MediaAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer | undefined;
}

export interface MediaRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-length, content-range, etag, x-cache',
};
/**
 * On every edge answer. Edges serve bytes they did not write (subtitles carry raw markup, a hostile
 * upload may look like HTML), so a browser must never sniff a type nor run anything opened directly:
 * the policy allows nothing and sandboxes the document. Players fetch media and load images and
 * text tracks as subresources, where a response's CSP does not apply.
 */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
};
/** What every media answer starts with. */
const BASE_HEADERS = { ...CORS, ...SECURITY_HEADERS };
/** Media objects never change (a new encode is a new asset): cache them as long as anyone likes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A session's master lists the edges alive when it was asked for: never reuse it. */
const SESSION_MASTER = 'private, no-store';

/** Problems never name the token: the instance is the redacted path. */
const INSTANCE = '/t/[redacted]';

function refuse(status: number, code: string, detail: string, extra: OutgoingHttpHeaders = {}): MediaAnswer {
  const body = Buffer.from(JSON.stringify({ ...problems.problem(code, detail), status, instance: INSTANCE }));
  return {
    status,
    headers: {
      ...BASE_HEADERS,
      'cache-control': 'no-store',
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': body.length,
      ...extra,
    },
    body,
  };
}

/** What the answerer returns: the answer itself when it needed nothing it had to wait for. */
export type MediaAnswerer = (req: MediaRequest) => MediaAnswer | Promise<MediaAnswer>;

/**
 * The public media path, `/t/<token>/a/<assetId>/<path>`, as a function of the request alone (no
 * framework): token checked locally (signature, expiry, asset), rendition height checked against the
 * asset's own playlists, then the object from RAM, disk or the origin, with byte ranges, strong ETags
 * and CORS for browser players. The HTTP server answers with it on its fast path and Fastify's route
 * (in-process inject, tests) with the same answer.
 *
 * The common case — a token this edge has verified before, an asset whose rendition index is built,
 * an object in RAM — is answered synchronously, with headers built once per object: no promise, no
 * per-request header object. That is most of what a busy edge does, and its per-request JavaScript
 * is what separates it from a bare server writing the same bytes (bench/edge).
 */
export function mediaAnswerer(deps: MediaDeps): MediaAnswerer {
  const { tokens, metrics, logger } = deps;
  const refused = (code: MediaRefusalCode, detail: string) => {
    metrics.refusals.inc({ code });
    return refuse(403, code, detail);
  };
  /** Full-body headers of objects served from RAM, built on first use (objects never change). */
  const ramHeaders = new WeakMap<CachedObject, OutgoingHttpHeaders>();

  const objectAnswer = (req: MediaRequest, object: CachedObject, from: ServedFrom): MediaAnswer => {
    metrics.served[from].add();
    const head = req.method === 'HEAD';
    const size = object.body.length;
    if (from === 'ram' && req.headers.range === undefined && req.headers['if-none-match'] === undefined) {
      let headers = ramHeaders.get(object);
      if (!headers) {
        headers = Object.freeze({ ...objectHeaders(object, from), 'content-length': size });
        ramHeaders.set(object, headers);
      }
      if (head) return { status: 200, headers, body: undefined };
      metrics.bytesServed.add(size);
      return { status: 200, headers, body: object.body };
    }
    const headers = objectHeaders(object, from);
    if (req.headers['if-none-match'] === object.etag) return { status: 304, headers, body: undefined };
    const ifRange = req.headers['if-range'];
    const range = ifRange && ifRange !== object.etag ? undefined : parseRangeHeader(req.headers.range, size);
    if (range === 'unsatisfiable') {
      return refuse(416, 'bad_request', `Range ${req.headers.range} is past the end of ${size} bytes`, {
        ...headers,
        'cache-control': 'no-store',
        'content-range': `bytes */${size}`,
        'content-type': 'application/problem+json; charset=utf-8',
      });
    }
    const body = range ? object.body.subarray(range.start, range.end + 1) : object.body;
    headers['content-length'] = body.length;
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    if (head) return { status: range ? 206 : 200, headers, body: undefined };
    metrics.bytesServed.add(body.length);
    return { status: range ? 206 : 200, headers, body };
  };

  /**
   * An encrypted asset's key (the URI in its media playlists resolves here, under the session's
   * token): forwarded to streaming every time, never cached, answered no-store. Artwork tokens are
   * refused here like any non-image path; streaming refuses sessions that are not live or entitled.
   */
  const keyAnswer = async (
    request: ParsedMediaRequest,
    payload: MediaTokenPayload,
    head: boolean,
  ): Promise<MediaAnswer> => {
    const allowed = admitPath(payload, request.path, () => 0);
    if (!allowed.ok) return refused(allowed.code, allowed.detail);
    if (!deps.contentKeys) return refuse(503, 'not_ready', 'This edge cannot reach the key service');
    const key = await deps.contentKeys(payload.session, request.assetId);
    return {
      status: key.status,
      headers: {
        ...BASE_HEADERS,
        'cache-control': 'no-store',
        'content-type': key.contentType,
        'content-length': key.body.length,
      },
      body: head ? undefined : key.body,
    };
  };

  /**
   * The session's MPD, written from the asset's playlists (the same segment files as HLS) with only
   * the renditions the token allows, and with two or more live edges DASH Content Steering over them
   * (one BaseURL per edge, this one the default) as the HLS master has. An asset that cannot be DASH
   * (AES-128 whole-segment encryption) answers 409 `media.dash_unavailable`; the playback answer says
   * so first (dashUrl null).
   */
  const mpdAnswer = async (
    request: ParsedMediaRequest,
    payload: MediaTokenPayload,
    playlists: AssetPlaylists,
    head: boolean,
  ): Promise<MediaAnswer> => {
    const artwork = admitPath(payload, request.path, () => 0);
    if (!artwork.ok) return refused(artwork.code, artwork.detail);
    const described = await playlists.dash(request.assetId);
    if (!described.ok)
      return refuse(409, 'media.dash_unavailable', `${described.detail} (${described.reason})`);
    const mpd = writeSessionMpd(described.asset, {
      maxHeight: payload.maxHeight,
      serviceLocations: deps.peers().map((p) => ({
        id: p.edgeId,
        baseUrl: `${p.url}/t/${request.token}/a/${request.assetId}/`,
      })),
      steeringUri: dashSteeringUri(deps.steeringBaseUrl(), payload.session),
    });
    return sessionManifest(mpd, 'application/dash+xml', head);
  };

  /** A manifest written for one session: never cached by anyone. */
  const sessionManifest = (text: string, contentType: string, head: boolean): MediaAnswer => {
    const body = Buffer.from(text);
    metrics.served.ram.add();
    metrics.bytesServed.add(body.length);
    return {
      status: 200,
      headers: {
        ...BASE_HEADERS,
        'cache-control': SESSION_MASTER,
        'content-type': contentType,
        'content-length': body.length,
      },
      body: head ? undefined : body,
    };
  };

  /** Everything that may wait: the session master, a rendition index or an object not in RAM. */
  const answerLater = async (
    req: MediaRequest,
    request: ParsedMediaRequest,
    payload: MediaTokenPayload,
    { cache, playlists }: Tiers,
  ): Promise<MediaAnswer> => {
    const head = req.method === 'HEAD';
    deps.load.enter();
    try {
      if (request.path === CONTENT_KEY_PATH) return await keyAnswer(request, payload, head);
      if (request.path === MASTER_PLAYLIST) {
        const artwork = admitPath(payload, request.path, () => 0);
        if (!artwork.ok) return refused(artwork.code, artwork.detail);
        const codec = requestedCodec(req.url);
        const master = buildSessionMaster(await playlists.master(request.assetId), {
          maxHeight: payload.maxHeight,
          ...(codec ? { codec } : {}),
          pathways: deps.peers().map((p) => ({
            id: p.edgeId,
            assetBase: `${p.url}/t/${request.token}/a/${request.assetId}/`,
          })),
          steeringUri: `${deps.steeringBaseUrl()}/${payload.session}`,
        });
        return sessionManifest(master, 'application/vnd.apple.mpegurl', head);
      }
      if (request.path === DASH_MANIFEST) return await mpdAnswer(request, payload, playlists, head);
      // Only audio/video files need the rendition index; images and subtitles are height 0.
      const index = isMediaFile(request.path) ? await playlists.index(request.assetId) : undefined;
      const allowed = admitPath(payload, request.path, (p) => index?.heightOf(p) ?? 0);
      if (!allowed.ok) return refused(allowed.code, allowed.detail);
      const { object, from } = await cache.get(blobKeyOf(request.assetId, request.path), payload.session);
      return objectAnswer(req, object, from);
    } catch (err) {
      if (err instanceof NotFoundError) return refuse(404, 'not_found', 'No such media object');
      if (err instanceof DomainError) return refuse(502, err.code, err.message);
      logger.error({ err }, 'media request failed');
      return refuse(500, 'internal', 'The edge failed to serve this object');
    } finally {
      deps.load.leave();
    }
  };

  return (req) => {
    const tiers = deps.tiers();
    if (!tiers) return refuse(503, 'not_ready', 'This edge is starting');
    const request = parseMediaPath(req.url);
    if (!request) return refuse(404, 'not_found', 'No such media path');
    const token = admitToken(tokens.verify(request.token), request);
    if (!token.ok) return refused(token.code, token.detail);
    const payload = token.value;
    // Only requests under a valid token count: nobody can fill an edge's CMCD metrics without one.
    const cmcd = cmcdSample(req.url);
    if (cmcd) metrics.cmcd(cmcd);
    if (
      request.path !== MASTER_PLAYLIST &&
      request.path !== CONTENT_KEY_PATH &&
      request.path !== DASH_MANIFEST
    ) {
      const media = isMediaFile(request.path);
      const index = media ? tiers.playlists.indexNow(request.assetId) : undefined;
      if (!media || index) {
        const allowed = admitPath(payload, request.path, (p) => index?.heightOf(p) ?? 0);
        if (!allowed.ok) return refused(allowed.code, allowed.detail);
        const object = tiers.cache.ramHit(blobKeyOf(request.assetId, request.path), payload.session);
        if (object) return objectAnswer(req, object, 'ram');
      }
    }
    return answerLater(req, request, payload, tiers);
  };
}

/** An object's headers but its length: validators, caching, CORS and where it came from. */
function objectHeaders(object: CachedObject, from: ServedFrom): OutgoingHttpHeaders {
  return {
    ...BASE_HEADERS,
    etag: object.etag,
    'accept-ranges': 'bytes',
    'cache-control': IMMUTABLE,
    'x-cache': from === 'ram' || from === 'disk' ? `HIT-${from.toUpperCase()}` : 'MISS',
    'content-type': object.contentType,
  };
}
