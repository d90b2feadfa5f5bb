import Hls, {
  LoadStats,
  LoaderContextType,
  type HlsConfig,
  type Loader,
  type LoaderCallbacks,
  type LoaderConfiguration,
  type LoaderContext,
} from 'hls.js';
import { takeKeyAhead } from './content-key-ahead';
import { keysMayLoad, takePrefetched, type Prefetched } from './prepare-playback';

const Network = Hls.DefaultConfig.loader;

/**
 * hls.js's loader with the prepared files in front (prepare-playback.ts): a playlist or segment fetched
 * while the viewer lingered is answered from memory, anything else goes to the network as before. The
 * answer's timings are the prefetch's own, moved to now, so hls.js estimates the bandwidth it really
 * had rather than the memory's. A prepared master starts hls.js on the rendition that was prefetched
 * (the lowest; see startPlaylists): `startLevel` is read from the instance's config when the master is
 * parsed, and it is put back for a master that was not prepared. A content key and the steering
 * manifest wait until the prepared session being opened is started (keysMayLoad).
 */
export class PreparedLoader implements Loader<LoaderContext> {
  private readonly network: Loader<LoaderContext>;
  private readonly startLevel: number | undefined;
  private answered: LoadStats | null = null;
  /**
   * Counts loads, aborts and destroys: an answer still on its way (from memory, or after a wait) is
   * given only if nothing happened since its load.
   */
  private generation = 0;
  context: LoaderContext | null = null;

  constructor(private readonly config: HlsConfig) {
    this.network = new Network(config);
    this.startLevel = config.startLevel;
  }

  get stats(): LoadStats {
    return this.answered ?? (this.network.stats as LoadStats);
  }

  load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
    // hls.js gives every fragment a range of 0–0; only a real byte range (rangeEnd set) is not whole.
    const load = ++this.generation;
    const hit = context.rangeEnd ? undefined : takePrefetched(context.url);
    if (context.type === LoaderContextType.MANIFEST) this.config.startLevel = hit ? 0 : this.startLevel;
    if (!hit) {
      this.answered = null;
      const network = () => {
        if (this.generation === load) this.network.load(context, config, callbacks);
      };
      const ahead = context.type === LoaderContextType.KEY ? takeKeyAhead(context.url) : undefined;
      if (ahead) {
        // A cold start's key, asked for when the session answered; without one, the edge is asked.
        const asked = performance.now();
        void ahead.then((key) => {
          if (!key) network();
          else if (this.generation === load) {
            this.answer(load, context, callbacks, key, key.byteLength, {
              start: asked,
              first: asked,
              end: asked,
            });
          }
        });
      } else if (
        context.type === LoaderContextType.KEY ||
        context.type === LoaderContextType.STEERING_MANIFEST
      ) {
        // A session being opened has no key and no steering yet: they are asked for once it started.
        void keysMayLoad().then(network);
      } else network();
      return;
    }
    this.answer(load, context, callbacks, hit.data, hit.bytes, hit.timing);
  }

  /** Answers from memory, with `timing` (a request's own) moved to now. */
  private answer(
    load: number,
    context: LoaderContext,
    callbacks: LoaderCallbacks<LoaderContext>,
    data: string | ArrayBuffer,
    bytes: number,
    timing: Prefetched['timing'],
  ): void {
    this.context = context;
    const stats = replayed(bytes, timing);
    this.answered = stats;
    // Asynchronous like a request: hls.js sets up its state after load() returns.
    setTimeout(() => {
      if (this.generation === load)
        callbacks.onSuccess({ url: context.url, data, code: 200 }, stats, context, null);
    });
  }

  abort(): void {
    this.generation++;
    this.network.abort();
  }

  destroy(): void {
    this.generation++;
    this.network.destroy();
  }

  getCacheAge(): number | null {
    return this.network.getCacheAge?.() ?? null;
  }

  getResponseHeader(name: string): string | null {
    return this.answered ? null : (this.network.getResponseHeader?.(name) ?? null);
  }
}

function replayed(bytes: number, timing: Prefetched['timing']): LoadStats {
  const stats = new LoadStats();
  const end = performance.now();
  const start = end - (timing.end - timing.start);
  stats.loading.start = start;
  stats.loading.first = start + (timing.first - timing.start);
  stats.loading.end = end;
  stats.loaded = stats.total = bytes;
  return stats;
}

/**
 * Puts the prepared files in front of every hls.js instance the app creates. Set on hls.js's defaults
 * (read when an instance is made) so the player's own setup (use-hls.ts) needs no change for it.
 */
export function installPreparedLoader(): void {
  if (Hls.DefaultConfig.loader !== PreparedLoader) Hls.DefaultConfig.loader = PreparedLoader;
}
