import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import {
  identityHeaders,
  serviceToken,
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  type Logger,
} from '@marquee/core';
import { DEMO_CATALOG, type DemoTitle, type DemoVideo } from './catalog.js';
import { generateDemoVideo } from './generate.js';
import { followEncodes, type TitleEncodeState } from './progress.js';

export interface DemoDeps {
  ffmpeg: string;
  dataDir: string;
  secret: string;
  streamingUrl: string;
  storageUrl: string;
  logger: Logger;
  /**
   * Told how many demo titles have finished encoding, each time that changes, once they are all
   * uploaded; the loader then waits for the encodes to finish.
   */
  onEncoded?: (finished: number, total: number) => void;
}

const MARKER = 'demo-content-loaded';

/**
 * Loads the demo catalog through the real pipeline (catalog API, tus upload, encoder), once per data
 * dir. It acts as an admin inside the platform (service token + admin identity), so it needs no
 * password. Titles appear in the admin console as they are created, with their encoding progress.
 */
export async function loadDemoContent(deps: DemoDeps, catalog: DemoTitle[] = DEMO_CATALOG): Promise<void> {
  const marker = join(deps.dataDir, MARKER);
  if (
    await access(marker).then(
      () => true,
      () => false,
    )
  ) {
    return;
  }
  const headers = {
    [SERVICE_TOKEN_HEADER]: serviceToken(deps.secret),
    ...identityHeaders({ accountId: 'demo-loader', role: 'admin', plan: 'premium' }),
  };
  const streaming = new ServiceClient({ service: 'streaming', baseUrls: [deps.streamingUrl], headers });
  const work = await mkdtemp(join(tmpdir(), 'marquee-demo-'));
  const titleIds: string[] = [];
  try {
    deps.logger.info({ titles: catalog.length }, 'loading demo content (MARQUEE_DEMO=0 skips this)');
    for (const [index, title] of catalog.entries()) {
      const created = await streaming.post<{ titleId: string }>('/api/admin/titles', {
        type: title.type,
        name: title.name,
        synopsis: title.synopsis,
        year: title.year,
        maturity: title.maturity,
        genres: title.genres,
      });
      if (created.status !== 201)
        throw new Error(`creating demo title ${title.name} answered ${created.status}`);
      titleIds.push(created.body.titleId);
      const upload = async (titleId: string, video: DemoVideo, name: string) => {
        const file = await generateDemoVideo(deps.ffmpeg, video, work, name);
        await tusUpload(`${deps.storageUrl}/api/admin/uploads`, file, titleId, headers);
      };
      if (title.video) await upload(created.body.titleId, title.video, `t${index}`);
      for (const [s, season] of (title.seasons ?? []).entries()) {
        for (const [e, episode] of season.entries()) {
          const ep = await streaming.post<{ titleId: string }>(
            `/api/admin/titles/${created.body.titleId}/episodes`,
            {
              season: s + 1,
              number: e + 1,
              name: episode.name,
            },
          );
          if (ep.status !== 201)
            throw new Error(`creating demo episode ${episode.name} answered ${ep.status}`);
          await upload(ep.body.titleId, episode.video, `t${index}s${s + 1}e${e + 1}`);
        }
      }
      deps.logger.info({ title: title.name }, 'demo title uploaded; encoding');
    }
    await writeFile(marker, new Date().toISOString());
    if (deps.onEncoded) {
      await followEncodes(
        titleIds,
        async (titleId) => {
          const res = await streaming.get<TitleEncodeState>(`/api/admin/titles/${titleId}`);
          if (res.status !== 200) throw new Error(`title ${titleId} answered ${res.status}`);
          return res.body;
        },
        deps.onEncoded,
      );
    }
  } finally {
    await streaming.close();
    await rm(work, { recursive: true, force: true });
  }
}

async function tusUpload(
  endpoint: string,
  file: string,
  titleId: string,
  headers: Record<string, string>,
): Promise<void> {
  const size = (await stat(file)).size;
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(file), {
      endpoint,
      uploadSize: size,
      chunkSize: 8 * 1024 * 1024,
      headers,
      metadata: { titleId, filename: file.split('/').pop() ?? 'demo.mp4' },
      retryDelays: [0, 500, 2000],
      onSuccess: () => resolve(),
      onError: reject,
    });
    upload.start();
  });
}
