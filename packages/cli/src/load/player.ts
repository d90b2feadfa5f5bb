import { chooseVariant, ThroughputEstimator } from './abr.js';
import { failureKind, httpFailureKind, RequestFailed, type Fetched, type ViewerHttp } from './http.js';
import type { LoadMetrics } from './metrics.js';
import { SessionHeartbeat } from './heartbeat.js';
import { PlaybackBuffer } from './playback-buffer.js';
import {
  parseMaster,
  parseMedia,
  segmentAt,
  type Master,
  type MediaTimeline,
  type PlayableVariant,
} from './playlists.js';

/** What a player needs from the run around it. */
export interface PlayerContext {
  http: ViewerHttp;
  metrics: LoadMetrics;
  /** Media segments kept buffered ahead of the playhead. */
  bufferSegments: number;
  /** Throws unless the URL may be loaded (loopback, or remote loads allowed). */
  checkTarget(url: URL): void;
  /** True once the run is over: the player stops as a viewer closing the tab would. */
  stopping(): boolean;
  /** Waits, resolving early when the run stops. */
  sleep(ms: number): Promise<void>;
}

export interface SessionPlan {
  manifestUrl: string;
  /** Seconds into the title where playback starts (the resume point). */
  resumeAt: number;
  /** How long this viewer watches before stopping (ms of playing time). */
  watchMs: number;
  /** When set, one seek after this much playing time, to this fraction of the title. */
  seek?: { afterMs: number; to: number };
  heartbeat?: { everyMs: number; send(position: number): Promise<void> };
  onFirstSegment(): void;
}

export interface SessionResult {
  /** Whether the first media segment arrived (the start succeeded). */
  started: boolean;
  position: number;
  /** The kind of the error that ended the session early. */
  failure?: string;
}

/** hls.js retries a failed fragment or playlist load; so does this player, twice. */
const RETRIES = 2;
const RETRY_DELAY_MS = 500;

type RequestKind = 'playlists' | 'media' | 'steering';

/** The same media object on another pathway, for a request that failed on this one (or undefined: none). */
type Elsewhere = () => Promise<URL | undefined>;

/** What a player with pathways moves on from at once: no connection, or a 502/503/504 from the edge. */
function failsOver(err: unknown): boolean {
  const kind = failureKind(err);
  return kind === 'connection' || /^http 50[234]\b/.test(kind);
}

/** Plays one session like hls.js: master, ABR from measured throughput, paced segments, heartbeats. */
export class SimulatedPlayer {
  private readonly estimator = new ThroughputEstimator();
  private readonly timelines = new Map<string, MediaTimeline>();
  private readonly inits = new Set<string>();
  private master: Master | undefined;
  /** The pathway a failover moved this session to: play() follows it from the next segment on. */
  private movedTo: string | undefined;

  constructor(private readonly ctx: PlayerContext) {}

  /**
   * One request, retried on failure as hls.js does. A media request given `elsewhere` whose first attempt
   * failed at the connection level (or 502/503/504) goes at once to the same object on the other
   * pathway, as a player with content steering falls back to its next pathway: counted as a retry, not
   * as an error (the report keeps those apart).
   */
  private async load(
    url: URL,
    kind: RequestKind,
    keepBody: boolean,
    elsewhere?: Elsewhere,
  ): Promise<Fetched> {
    const { ctx } = this;
    ctx.checkTarget(url);
    let target = url;
    for (let attempt = 0; ; attempt++) {
      try {
        if (kind !== 'media') ctx.metrics.requests[kind]++;
        const res = await ctx.http.request(target, {}, keepBody);
        if (res.status < 200 || res.status > 299)
          throw new RequestFailed(httpFailureKind(res.status, res.body), target.pathname);
        if (kind === 'media') ctx.metrics.segment(res.ms, res.bytes);
        return res;
      } catch (err) {
        if (attempt === 0 && elsewhere && failsOver(err) && !ctx.stopping()) {
          const other = await elsewhere().catch(() => undefined);
          if (other) {
            ctx.metrics.retried(`segment ${failureKind(err)}: other pathway`);
            ctx.checkTarget(other);
            target = other;
            continue;
          }
        }
        ctx.metrics.error(`${kind === 'media' ? 'segment' : kind} ${failureKind(err)}`);
        if (attempt >= RETRIES || ctx.stopping()) throw err;
        await ctx.sleep(RETRY_DELAY_MS);
      }
    }
  }

  private async timeline(url: URL): Promise<MediaTimeline> {
    const known = this.timelines.get(url.href);
    if (known) return known;
    const res = await this.load(url, 'playlists', true);
    const timeline = parseMedia(res.body, url);
    this.timelines.set(url.href, timeline);
    return timeline;
  }

  private async init(url: URL | undefined, elsewhere?: Elsewhere): Promise<void> {
    if (!url || this.inits.has(url.href)) return;
    await this.load(url, 'media', false, elsewhere);
    this.inits.add(url.href);
  }

  /**
   * The same segment (or its init section) of the same rendition on another pathway of the master —
   * another edge — found through that pathway's own media playlist; the session moves there.
   */
  private elsewhere(variant: PlayableVariant, t: number, track: 'video' | 'audio', init: boolean): Elsewhere {
    return async () => {
      const others = this.master?.variants.filter((v) => v.pathway !== variant.pathway) ?? [];
      const other =
        others.find((v) => v.height === variant.height && v.bandwidth === variant.bandwidth) ??
        others.find((v) => v.height === variant.height);
      const playlist = track === 'video' ? other?.url : other?.audio;
      if (!other || !playlist) return undefined;
      const timeline = await this.timeline(playlist);
      const segment = timeline.segments[segmentAt(timeline, t)]!;
      this.movedTo = other.pathway;
      return init ? segment.init : segment.url;
    };
  }

  /** Steering (when the master names a server): the pathway the server ranks first, and its TTL. */
  private async steer(master: Master, current: string | undefined) {
    const steering = master.steering!;
    const url = new URL(steering.serverUri);
    if (current) url.searchParams.set('_HLS_pathway', current);
    const res = await this.load(url, 'steering', true);
    const manifest = JSON.parse(res.body!.toString('utf8')) as {
      TTL?: number;
      'PATHWAY-PRIORITY'?: string[];
    };
    const known = new Set(master.variants.map((v) => v.pathway));
    const pathway = manifest['PATHWAY-PRIORITY']?.find((p) => known.has(p)) ?? current ?? steering.pathway;
    return { pathway, ttlMs: Math.max(1, manifest.TTL ?? 300) * 1000 };
  }

  /** One segment of video (and the audio beside it): fetched together, as hls.js does. */
  private async fetchAt(variant: PlayableVariant, t: number) {
    const video = await this.timeline(variant.url);
    const index = segmentAt(video, t);
    const segment = video.segments[index]!;
    const audio = variant.audio ? await this.timeline(variant.audio) : undefined;
    const audioSegment = audio?.segments[segmentAt(audio, t)];
    await Promise.all([
      this.init(segment.init, this.elsewhere(variant, t, 'video', true)),
      this.init(audioSegment?.init, this.elsewhere(variant, t, 'audio', true)),
    ]);
    const [v] = await Promise.all([
      this.load(segment.url, 'media', false, this.elsewhere(variant, t, 'video', false)),
      audioSegment
        ? this.load(audioSegment.url, 'media', false, this.elsewhere(variant, t, 'audio', false))
        : undefined,
    ]);
    this.estimator.sample(segment.duration, v.bytes, v.ms);
    this.ctx.metrics.mediaSeconds += segment.duration;
    this.ctx.metrics.declaredBits += segment.duration * variant.bandwidth;
    return { segment, last: index === video.segments.length - 1, timeline: video };
  }

  async play(plan: SessionPlan): Promise<SessionResult> {
    const { ctx } = this;
    const masterUrl = new URL(plan.manifestUrl);
    let started = false;
    let buffer = new PlaybackBuffer(performance.now(), plan.resumeAt);
    let heartbeat: SessionHeartbeat | undefined;
    try {
      const master = parseMaster((await this.load(masterUrl, 'playlists', true)).body, masterUrl);
      this.master = master;
      let pathway = master.variants[0]!.pathway;
      let steerAgainAt = Infinity;
      if (master.steering) {
        const steered = await this.steer(master, undefined);
        pathway = steered.pathway;
        steerAgainAt = performance.now() + steered.ttlMs;
      }
      const onPathway = () => master.variants.filter((v) => v.pathway === pathway);
      let variant = chooseVariant(onPathway(), this.estimator.estimate());
      // A resume point at the very end (credits) starts the title again, as the web player does.
      let duration = (await this.timeline(variant.url)).duration;
      if (plan.resumeAt >= duration - 1) buffer = new PlaybackBuffer(performance.now(), 0);
      const beat = plan.heartbeat;
      if (beat) {
        const send = (position: number) => beat.send(position);
        heartbeat = new SessionHeartbeat(beat.everyMs, send, () => buffer.position(performance.now()));
      }
      let seek = plan.seek;
      for (;;) {
        // A start in progress runs to its first segment, so every start ends as playing or failed.
        if (ctx.stopping() && started) break;
        const now = performance.now();
        if (started && buffer.playedMs >= plan.watchMs) break;
        if (seek && started && buffer.playedMs >= seek.afterMs) {
          buffer.seek(now, Math.floor(seek.to * duration));
          ctx.metrics.seeks++;
          seek = undefined;
        }
        if (now >= steerAgainAt) {
          const steered = await this.steer(master, pathway);
          steerAgainAt = performance.now() + steered.ttlMs;
          if (steered.pathway !== pathway) {
            pathway = steered.pathway;
            variant = onPathway().find((v) => v.height === variant.height) ?? onPathway()[0]!;
          }
        }
        if (buffer.end >= duration - 1e-3) {
          // Everything is buffered: play it out, then the session ends with the title.
          const rest = buffer.ahead(now);
          if (rest <= 0) break;
          await ctx.sleep(Math.min(rest * 1000, plan.watchMs - buffer.playedMs + 1));
          continue;
        }
        const next = chooseVariant(onPathway(), this.estimator.estimate(), variant);
        if (next !== variant) ctx.metrics.switches++;
        variant = next;
        const fetched = await this.fetchAt(variant, buffer.end);
        if (this.movedTo !== undefined && this.movedTo !== pathway) {
          // A request failed over to another pathway: the session stays there, as hls.js's steering does.
          pathway = this.movedTo;
          variant = onPathway().find((v) => v.height === variant.height) ?? onPathway()[0]!;
        }
        this.movedTo = undefined;
        duration = fetched.timeline.duration;
        // Add exactly up to the segment's end (the resume point may fall inside it).
        buffer.append(performance.now(), fetched.segment.start + fetched.segment.duration - buffer.end);
        if (!started) {
          started = true;
          plan.onFirstSegment();
        }
        // hls.js loads while the buffer is under its target: wait until one more segment fits.
        const target = ctx.bufferSegments * fetched.timeline.targetDuration;
        const ahead = buffer.ahead(performance.now());
        const room = target - fetched.segment.duration;
        if (ahead > room && !fetched.last) {
          const untilRoom = (ahead - room) * 1000;
          const untilDone = plan.watchMs - buffer.playedMs;
          await ctx.sleep(Math.max(1, Math.min(untilRoom, untilDone, steerAgainAt - performance.now())));
        }
      }
      return { started, position: buffer.position(performance.now()) };
    } catch (err) {
      return { started, position: buffer.position(performance.now()), failure: failureKind(err) };
    } finally {
      buffer.finish(performance.now());
      ctx.metrics.playedMs += buffer.playedMs;
      ctx.metrics.stallMs += buffer.stallMs;
      ctx.metrics.stalls += buffer.stalls;
      ctx.metrics.seekWaitMs += buffer.seekWaitMs;
      // The caller's stop follows the session's last heartbeat, as one client's calls do.
      await heartbeat?.stop();
    }
  }
}
