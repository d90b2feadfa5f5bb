import { videoCodecFamilies, type VideoCodecFamily } from './codec-families.js';
import { randomUUID } from 'node:crypto';
import { DomainError, NotFoundError, type Identity, type Logger } from '@marquee/core';
import { enqueue, Memo, type Cache, type Database, type NewEvent } from '@marquee/platform';
import type { UsersClient } from '../clients/users-client.js';
import {
  findSession,
  insertSession,
  latestSession,
  openSessions,
  markStopped,
  recordPosition,
  type SessionRow,
} from '../store/sessions-store.js';
import { findContentKey } from '../store/content-keys-store.js';
import type { StreamingTables } from '../store/tables.js';
import type { EdgeDirectory } from './edge-directory.js';
import { dashSteeringManifest, type DashSteeringManifest } from './dash-steering.js';
import { steeringManifest, type EdgeReport, type SteeringManifest } from './edge-ranking.js';
import { decideEntitlement, mediaTokenLifetimeMs } from './entitlement.js';
import { isFinishedViewing, planLimits, profileCeiling } from '@marquee/contracts';
import type { DashUnavailableReason, MediaUrls } from './media-urls.js';
import type { PlayCounter } from './play-counter.js';
import type { PlayableTitles } from './playable-titles.js';
import { PlaybackRefusedError } from './problems.js';
import { episodeToPlay } from './series-play.js';
import { listEpisodes } from '../store/titles-store.js';

/** A crashed player's stream slot frees itself this long after its last heartbeat. */
export const LEASE_TTL_MS = 60_000;
/** What players are told: three heartbeats fit in one lease. */
export const HEARTBEAT_INTERVAL_S = 15;
/** Steering manifests are re-fetched this often, so a dead edge is left within seconds. */
export const STEERING_TTL_S = 5;

export interface PlaybackStart {
  sessionId: string;
  /** What plays: the title asked for, or for a series the episode Play chose. */
  titleId: string;
  manifestUrl: string;
  edges: { edgeId: string; url: string }[];
  resumeAt: number;
  expiresAt: string;
  maxHeight: number;
  heartbeatIntervalSeconds: number;
  /**
   * How the segments are encrypted ('AES-128': the playlists name a key the session may fetch), or
   * null for an asset encoded without encryption (before it existed, or with it turned off).
   */
  encryption: 'AES-128' | null;
  /** The session's MPD over the same segments, or null when the asset plays with HLS only. */
  dashUrl: string | null;
  /** Why `dashUrl` is null ('encrypted-hls-only'), else null. */
  dashUnavailableReason: DashUnavailableReason | null;
  /** The video codec families this session may play (H.264 first): an asset without AV1 says so. */
  videoCodecs: VideoCodecFamily[];
}

/** A session authorised but not opened: its row, what its start answers, and the plan's stream limit. */
export interface AuthorisedPlayback {
  row: SessionRow;
  /** The series of an episode (its plays count for the series too), else null. */
  seriesId: string | null;
  maxStreams: number;
  answer: PlaybackStart;
}

export const leaseKey = (accountId: string) => `streaming:streams:${accountId}`;

/** GET /internal/playback/:sessionId (service token only). */
export interface SessionFact {
  sessionId: string;
  accountId: string;
  profileId: string;
  titleId: string;
  assetId: string;
  durationSeconds: number | null;
  createdAt: string;
  expiresAt: string;
  stoppedAt: string | null;
}

/** Playback sessions: entitlement, stream leases, media URLs, progress events and steering. */
export class Playback {
  /** Sessions read for steering, a minute each (see cachedSession). */
  private readonly sessionMemo: Memo<string, SessionRow>;

  constructor(
    private readonly deps: {
      db: Database<StreamingTables>;
      cache: Cache;
      users: UsersClient;
      edges: EdgeDirectory;
      playable: PlayableTitles;
      urls: MediaUrls;
      logger: Logger;
      now?: () => number;
      /** Default LEASE_TTL_MS. */
      leaseTtlMs?: number;
      /** Popularity counts (title and, for an episode, its series). */
      plays?: PlayCounter;
      /** AUTH_REQUIRE_EMAIL_VERIFICATION: an account starts playback only once its address is confirmed. */
      requireEmailVerification?: boolean;
    },
  ) {
    this.sessionMemo = new Memo({ max: 10_000, ttlMs: 60_000, ...(deps.now ? { now: deps.now } : {}) });
  }

  private get leaseTtlMs(): number {
    return this.deps.leaseTtlMs ?? LEASE_TTL_MS;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Authorises and opens a session at once: the cold start, when nothing was prepared. */
  async start(identity: Identity, input: { profileId: string; titleId: string }): Promise<PlaybackStart> {
    return this.open(identity, await this.authorise(identity, input));
  }

  /**
   * Every check a start makes (email, profile, publication, entitlement) and everything its answer
   * needs (resume point, edges, content key, media token), without a stream slot, a session row, an
   * event or a play count: what a prepared playback holds until Play opens it (prepared-playback.ts).
   */
  async authorise(
    identity: Identity,
    input: { profileId: string; titleId: string },
  ): Promise<AuthorisedPlayback> {
    const { db, users, edges, urls, playable } = this.deps;
    if (this.deps.requireEmailVerification && !(await users.emailVerified(identity.accountId))) {
      throw new PlaybackRefusedError(
        'playback.email_unverified',
        'Confirm your email address to start watching: open the link in the mail we sent, or ask for it again on your Account page',
      );
    }
    const [profile, found] = await Promise.all([
      // A start through the gateway carries the profile's facts, checked there: no users call then.
      users.profileOf(identity, input.profileId).catch((err: unknown) => {
        // An unknown profile and another account's profile answer alike: nothing to learn by probing.
        if (err instanceof NotFoundError) {
          throw new PlaybackRefusedError('playback.profile_not_owned', 'This profile is not one of yours');
        }
        throw err;
      }),
      playable.get(input.titleId),
    ]);
    // An unpublished title answers like a missing one: its id is no business of a viewer's.
    if (!found || found.title.withdrawn_at) throw new NotFoundError('title', input.titleId);
    const { title, asset } = found;
    if (title.kind === 'series') {
      // Play on a series plays the episode to resume, else the next or the first (as viewers expect).
      const episode = await this.seriesEpisode(identity, input.profileId, title.title_id);
      if (!episode)
        throw new DomainError('playback.not_playable', `${title.name} has no episode to play yet`);
      return this.authorise(identity, { profileId: input.profileId, titleId: episode });
    }
    const decision = decideEntitlement({
      accountId: identity.accountId,
      plan: identity.plan,
      // A kids profile never plays above the kids ceiling, whatever ceiling it was given.
      profile: { accountId: profile.accountId, maxMaturity: profileCeiling(profile) },
      title,
      asset: asset && { state: asset.state, renditions: asset.ladder },
    });
    if (!decision.ok) throw new PlaybackRefusedError(decision.code, decision.detail);

    const sessionId = randomUUID();
    const [resumeAt, ranked, contentKey] = await Promise.all([
      this.resumePoint(identity, input.profileId, title.title_id),
      edges.ranked(asset!.asset_id),
      findContentKey(db.read, asset!.asset_id),
    ]);
    const first = ranked[0];
    if (!first) throw new DomainError('playback.no_edge', 'No edge is configured to stream from');
    const now = this.now();
    const expiresAt = now + mediaTokenLifetimeMs(asset!.duration_seconds);
    const row: SessionRow = {
      session_id: sessionId,
      account_id: identity.accountId,
      profile_id: input.profileId,
      title_id: title.title_id,
      asset_id: asset!.asset_id,
      max_height: decision.maxHeight,
      position: resumeAt,
      duration_seconds: asset!.duration_seconds,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(expiresAt).toISOString(),
      stopped_at: null,
    };
    const token = urls.sessionToken({
      assetId: row.asset_id,
      sessionId,
      maxHeight: decision.maxHeight,
      expiresAt,
    });
    return {
      row,
      seriesId: title.series_id,
      maxStreams: decision.maxStreams,
      answer: {
        sessionId,
        titleId: title.title_id,
        manifestUrl: urls.manifestUrl(first.url, token, row.asset_id),
        edges: ranked.map((e) => ({ edgeId: e.edgeId, url: e.url })),
        resumeAt,
        expiresAt: row.expires_at,
        maxHeight: decision.maxHeight,
        heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_S,
        encryption: contentKey?.method ?? null,
        ...urls.dash(first.url, token, row.asset_id, contentKey?.method ?? null),
        videoCodecs: videoCodecFamilies(asset!.ladder, decision.maxHeight),
      },
    };
  }

  /**
   * Opens an authorised session: takes its stream slot (the plan's limit is applied now, not when it
   * was authorised), writes the session with `playback.started` and counts the play.
   */
  async open(identity: Identity, authorised: AuthorisedPlayback): Promise<PlaybackStart> {
    const { db, cache } = this.deps;
    const { row, maxStreams } = authorised;
    const sessionId = row.session_id;
    const leased = await cache.leases.acquire(
      leaseKey(identity.accountId),
      sessionId,
      maxStreams,
      this.leaseTtlMs,
    );
    if (!leased) {
      throw new PlaybackRefusedError(
        'playback.stream_limit',
        `Your ${identity.plan} plan allows ${maxStreams} stream${maxStreams > 1 ? 's' : ''} at once; stop one to start another`,
        { maxStreams },
      );
    }
    try {
      await db.transaction(async (trx) => {
        await insertSession(trx, row);
        await enqueue(trx, this.progressEvent('playback.started', row, row.position));
      });
    } catch (err) {
      await cache.leases.release(leaseKey(identity.accountId), sessionId).catch(() => undefined);
      throw err;
    }
    this.deps.plays?.add(authorised.seriesId ? [row.title_id, authorised.seriesId] : [row.title_id]);
    // Off the answer's path: the start is not slowed by ending sessions it does not depend on.
    this.endLapsedSessions(identity.accountId, sessionId).catch((err: unknown) =>
      this.deps.logger.warn(
        { err, accountId: identity.accountId },
        'lapsed sessions not ended; the next start retries',
      ),
    );
    return authorised.answer;
  }

  /** Renews the stream lease and records the position; a lapsed lease is re-taken if a slot is free. */
  async heartbeat(
    identity: Identity,
    sessionId: string,
    position: number,
  ): Promise<{ leaseExpiresAt: string }> {
    const { db, cache } = this.deps;
    const session = await this.ownedSession(identity, sessionId);
    if (session.stopped_at !== null || Date.parse(session.expires_at) <= this.now()) {
      throw new PlaybackRefusedError(
        'playback.session_ended',
        'This playback session has ended; start a new one',
      );
    }
    const key = leaseKey(identity.accountId);
    const renewed =
      (await cache.leases.renew(key, sessionId, this.leaseTtlMs)) ||
      (await cache.leases.acquire(key, sessionId, this.maxStreams(identity), this.leaseTtlMs));
    if (!renewed) {
      throw new PlaybackRefusedError(
        'playback.stream_limit',
        'This stream’s slot lapsed and was taken by another stream; stop one to continue',
      );
    }
    await db.transaction(async (trx) => {
      await recordPosition(trx, sessionId, position);
      await enqueue(trx, this.progressEvent('playback.heartbeat', session, position));
    });
    return { leaseExpiresAt: new Date(this.now() + this.leaseTtlMs).toISOString() };
  }

  /** Ends a session and frees its stream slot; stopping twice is harmless (one event). */
  async stop(identity: Identity, sessionId: string, position?: number): Promise<void> {
    const { db, cache } = this.deps;
    const session = await this.ownedSession(identity, sessionId);
    await cache.leases.release(leaseKey(identity.accountId), sessionId);
    await db.transaction(async (trx) => {
      if (await markStopped(trx, sessionId, position, new Date(this.now()).toISOString())) {
        await enqueue(trx, this.progressEvent('playback.stopped', session, position ?? session.position));
      }
    });
    this.sessionMemo.delete(sessionId);
  }

  /**
   * Whose a session is and whether it is still live, for the analytics service, which accepts player
   * telemetry only for the caller's own session. Memoised like steering: telemetry comes every few seconds.
   */
  async sessionFact(sessionId: string): Promise<SessionFact> {
    const session = await this.cachedSession(sessionId);
    if (!session) throw new NotFoundError('playback session', sessionId);
    return {
      sessionId,
      accountId: session.account_id,
      profileId: session.profile_id,
      titleId: session.title_id,
      assetId: session.asset_id,
      durationSeconds: session.duration_seconds,
      createdAt: session.created_at,
      expiresAt: session.expires_at,
      stoppedAt: session.stopped_at,
    };
  }

  /** The HLS Content Steering manifest of a session: its asset's edges re-ranked now. */
  async steering(sessionId: string, currentPathway: string | undefined): Promise<SteeringManifest> {
    return steeringManifest(await this.rankedFor(sessionId, currentPathway), STEERING_TTL_S);
  }

  /** The same ranking in the DASH form, for the session's MPD (`<ContentSteering>`). */
  async dashSteering(sessionId: string, currentLocation: string | undefined): Promise<DashSteeringManifest> {
    return dashSteeringManifest(await this.rankedFor(sessionId, currentLocation), STEERING_TTL_S);
  }

  /** A live session's asset's edges, best first; a stopped or expired session has none (404). */
  private async rankedFor(sessionId: string, current: string | undefined): Promise<EdgeReport[]> {
    const session = await this.cachedSession(sessionId);
    if (!session || session.stopped_at !== null || Date.parse(session.expires_at) <= this.now()) {
      throw new NotFoundError('playback session', sessionId);
    }
    return this.deps.edges.ranked(session.asset_id, current);
  }

  /**
   * Ends the account's sessions whose stream slot lapsed (a player that stopped heartbeating without a
   * stop): without this their media URLs kept working until the token expired, so a plan's stream limit
   * could be outrun by starting a session and abandoning it. Their `playback.stopped` makes every edge
   * refuse their URLs within seconds.
   */
  private async endLapsedSessions(accountId: string, starting: string): Promise<void> {
    const { db, cache } = this.deps;
    // Open sessions first, then the lease holders — not both at once. A start takes its lease before it
    // writes its row (open()), so any session the first read finds already held its lease when the
    // second read runs, unless that lease truly lapsed. Read the other way round (or in parallel), a
    // sibling starting between the two reads would be in `open` but not in `holders`, and be ended as
    // lapsed while it plays.
    const open = await openSessions(db.write, accountId, new Date(this.now()).toISOString());
    if (open.every((s) => s.session_id === starting)) return;
    const holders = await cache.leases.holders(leaseKey(accountId));
    const live = new Set([...holders, starting]);
    for (const session of open) {
      if (live.has(session.session_id)) continue;
      await db.transaction(async (trx) => {
        if (await markStopped(trx, session.session_id, undefined, new Date(this.now()).toISOString())) {
          // Marked lapsed: its position is old news, and a newer session may have moved past it.
          await enqueue(trx, {
            ...this.progressEvent('playback.stopped', session, session.position),
            data: { ...this.progressData(session, session.position), lapsed: true },
          });
        }
      });
      this.sessionMemo.delete(session.session_id);
    }
  }

  private async seriesEpisode(
    identity: Identity,
    profileId: string,
    seriesId: string,
  ): Promise<string | undefined> {
    const [episodes, viewings] = await Promise.all([
      listEpisodes(this.deps.db.read, seriesId, true),
      this.deps.users.recentViewings(identity, profileId),
    ]);
    return episodeToPlay(
      episodes.filter((e) => e.ready_asset_id !== null).map((e) => ({ titleId: e.title_id })),
      viewings,
    );
  }

  /**
   * Where a new session starts: read-your-writes for resume. A viewer who reloads mid-play must land where
   * the last session left off, but that session's last position reaches users' history through events,
   * after the new start may already have asked. So streaming's own newest session on the title wins (it
   * holds the last position reported, read on the primary); users' history answers for viewings older
   * than the sessions streaming keeps.
   */
  private async resumePoint(identity: Identity, profileId: string, titleId: string): Promise<number> {
    const latest = await latestSession(this.deps.db.write, profileId, titleId);
    if (!latest) return this.deps.users.resumePosition(identity, profileId, titleId);
    return isFinishedViewing(latest.position, latest.duration_seconds) ? 0 : latest.position;
  }

  private maxStreams(identity: Identity): number {
    return planLimits(identity.plan).maxStreams;
  }

  private async ownedSession(identity: Identity, sessionId: string): Promise<SessionRow> {
    const session = await findSession(this.deps.db.write, sessionId);
    if (!session || session.account_id !== identity.accountId)
      throw new NotFoundError('playback session', sessionId);
    return session;
  }

  /**
   * Steering is polled by every player every few seconds: sessions are memoised for a minute (10,000 at
   * most, the least recently used out first).
   */
  private async cachedSession(sessionId: string): Promise<SessionRow | undefined> {
    const hit = this.sessionMemo.get(sessionId);
    if (hit) return hit;
    // The replica carries the steady polling; a session started a moment ago may not have reached it
    // yet, and its player asks for steering at once: then the primary answers (read-your-writes).
    const row =
      (await findSession(this.deps.db.read, sessionId)) ?? (await findSession(this.deps.db.write, sessionId));
    if (row) this.sessionMemo.set(sessionId, row);
    return row;
  }

  private progressEvent(type: string, session: SessionRow, position: number): NewEvent {
    return {
      type,
      source: 'streaming',
      subject: session.session_id,
      data: this.progressData(session, position),
    };
  }

  private progressData(session: SessionRow, position: number) {
    return {
      sessionId: session.session_id,
      accountId: session.account_id,
      profileId: session.profile_id,
      titleId: session.title_id,
      position,
      ...(session.duration_seconds === null ? {} : { duration: session.duration_seconds }),
    };
  }
}
