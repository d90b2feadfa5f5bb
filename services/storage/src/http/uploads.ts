import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { Server as TusServer, EVENTS } from '@tus/server';
import type { DataStore, Upload } from '@tus/utils';
import { requireAdmin, type Logger, type ServiceClient } from '@marquee/core';
import { parseUploadMetadata } from '../app/upload-metadata.js';
import type { FinishOutcome } from '../jobs/exclusive-finish.js';
import { isUploadId, newUploadId, stagingIdOf, uploadIdOf } from '../staging.js';
import type { UploadStore } from '../store/uploads.js';

export const UPLOADS_PATH = '/api/admin/uploads';

export interface UploadRoutesDeps {
  datastore: DataStore;
  uploads: UploadStore;
  streaming: ServiceClient;
  logger: Logger;
  maxBytes: number;
  /** Called once an upload's last byte is in; resolves when it is stored and announced, by whichever finisher. */
  onFinished(uploadId: string): Promise<FinishOutcome>;
}

/** tus answers errors by throwing `{status_code, body}`. */
function refuse(status_code: number, body: string): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw { status_code, body };
}

/** The upload id of an upload tus named (namingFunction below names every one). */
function uploadIdOfTus(upload: Upload): string {
  const id = uploadIdOf(upload.id);
  if (!id) throw new Error(`tus upload ${upload.id} is not a staging id`);
  return id;
}

/**
 * tus 1.0 resumable uploads (@tus/server) mounted in Fastify. Fastify leaves the request body unread so
 * tus streams it straight into the staging store; identity and admin role are checked before tus sees
 * the request. Metadata is validated and the asset registered with streaming BEFORE any byte is taken.
 * tus works on staging ids (`staging/<upload id>`, see staging.ts); URLs carry the bare upload id.
 */
export function registerUploadRoutes(app: FastifyInstance, deps: UploadRoutesDeps): TusServer {
  const tus = new TusServer({
    path: UPLOADS_PATH,
    datastore: deps.datastore,
    maxSize: deps.maxBytes,
    relativeLocation: true,
    respectForwardedHeaders: false,
    namingFunction: () => stagingIdOf(newUploadId()),
    generateUrl: (_req, { path, id }) => `${path}/${uploadIdOf(id) ?? ''}`,
    getFileIdFromRequest: (_req, lastPath) =>
      lastPath !== undefined && isUploadId(lastPath) ? stagingIdOf(lastPath) : undefined,
    // CORS is the gateway's (CORS_ORIGINS): tus would otherwise answer `Access-Control-Allow-Origin: *`
    // to every upload request, letting any site read admins' upload answers.
    allowedOrigins: () => false,
    async onIncomingRequest(req, stagingId) {
      if (req.method === 'DELETE') await abandon(stagingId);
    },
    async onUploadCreate(_req, upload: Upload) {
      const uploadId = uploadIdOfTus(upload);
      const meta = parseUploadMetadata(upload.metadata ?? {});
      if (typeof meta === 'string') refuse(400, meta);
      let assetId = '';
      if (meta.kind === 'source') {
        const res = await deps.streaming.post<{ assetId?: string; detail?: string }>(
          `/internal/titles/${encodeURIComponent(meta.titleId)}/assets`,
          { uploadId, filename: meta.filename },
        );
        if (res.status === 404) refuse(404, `Title ${meta.titleId} does not exist`);
        if (res.status >= 300 || !res.body.assetId)
          refuse(502, `The catalog refused the upload: ${res.body.detail ?? res.status}`);
        assetId = res.body.assetId;
      } else {
        const res = await deps.streaming.get(`/internal/titles/${encodeURIComponent(meta.titleId)}`);
        if (res.status === 404) refuse(404, `Title ${meta.titleId} does not exist`);
      }
      await deps.uploads.create({
        upload_id: uploadId,
        asset_id: assetId,
        title_id: meta.titleId,
        filename: meta.filename,
        kind: meta.kind,
        language: meta.language,
        size: upload.size ?? null,
        created_at: new Date().toISOString(),
      });
      return { metadata: { ...upload.metadata, assetId } };
    },
    async onUploadFinish(_req, upload: Upload) {
      const uploadId = uploadIdOfTus(upload);
      const row = await deps.uploads.find(uploadId);
      if (!row) refuse(404, 'Unknown upload');
      const outcome = await deps.onFinished(uploadId);
      // Stored here or by another finisher (a replica's crash recovery): either way the upload is safe.
      if (outcome === 'busy')
        refuse(503, 'The upload is complete and being stored by another instance; check again shortly');
      if (outcome !== 'stored' && outcome !== 'stored-elsewhere')
        refuse(410, 'The upload was given up before it was stored');
      return { headers: { 'Upload-Asset-Id': row.asset_id } };
    },
    onResponseError(_req, err) {
      if (err instanceof Error) {
        deps.logger.error({ err }, 'upload failed');
        return { status_code: 500, body: 'The upload could not be stored; retry it\n' };
      }
      return undefined;
    },
  });
  /**
   * A source upload deleted before its last byte: its asset fails with a reason (else the title shows
   * "uploading" for good) and the record expires, before tus removes the staging. Finished uploads keep
   * their asset.
   */
  async function abandon(stagingId: string): Promise<void> {
    const uploadId = uploadIdOf(stagingId);
    const row = uploadId ? await deps.uploads.find(uploadId, 'primary') : undefined;
    if (!uploadId || !row || row.state !== 'receiving') return;
    if (row.kind === 'source' && row.asset_id) {
      const res = await deps.streaming.post(
        `/internal/assets/${encodeURIComponent(row.asset_id)}/abandoned`,
        {},
      );
      if (res.status >= 300 && res.status !== 404)
        refuse(503, 'The catalog could not be told the upload is cancelled; retry the deletion');
    }
    await deps.uploads.expireReceiving(uploadId, new Date());
  }

  tus.on(EVENTS.POST_CREATE, (_req, upload) =>
    deps.logger.info({ uploadId: uploadIdOf(upload.id), size: upload.size }, 'upload created'),
  );

  // tus needs the raw, unread body stream.
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
  const handler: RouteHandlerMethod = async (req, reply) => {
    requireAdmin(req);
    if (req.method === 'HEAD') {
      const finished = await finishedUpload(req.url);
      // tus: HEAD on a finished upload says it is whole (offset = length). Its staging is gone once it is
      // stored, so tus itself would answer 404 and a client checking before resuming would start over.
      if (finished)
        return reply
          .status(200)
          .headers({
            'tus-resumable': '1.0.0',
            'upload-offset': String(finished.size),
            'upload-length': String(finished.size),
            'upload-asset-id': finished.asset_id,
            'cache-control': 'no-store',
          })
          .send();
    }
    reply.hijack();
    await tus.handle(req.raw, reply.raw);
  };

  async function finishedUpload(url: string) {
    const id = url.split('?')[0]!.slice(UPLOADS_PATH.length + 1);
    if (!isUploadId(id)) return undefined;
    const row = await deps.uploads.find(id);
    const whole =
      row && row.size !== null && (row.state === 'stored' || row.state === 'ready' || row.state === 'failed');
    return whole ? { size: row.size!, asset_id: row.asset_id } : undefined;
  }
  for (const url of [UPLOADS_PATH, `${UPLOADS_PATH}/*`]) {
    app.route({
      method: ['POST', 'PATCH', 'HEAD', 'GET', 'DELETE', 'OPTIONS'],
      url,
      exposeHeadRoute: false,
      handler,
    });
  }
  return tus;
}
