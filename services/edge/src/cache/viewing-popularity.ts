/**
 * What an edge learns from the sessions it serves, to decide which objects its disk tier keeps.
 *
 * A VOD edge's requests are not independent: a play fetches its title's segments in order, most
 * plays start at the beginning and fewer reach each later segment, and a segment one viewer has just
 * fetched is about to be asked for by every viewer of the same title a little behind. So an object's
 * expected demand is estimated from three facts the edge sees in its own traffic (the media token
 * names the session), rather than from its own past hits alone (which is all LRU or TinyLFU see, and
 * which for most objects of a catalog several times the disk are zero or one):
 *
 *   - plays per asset: sessions that started on it, decayed (halved every `halveEvery` plays);
 *   - reach per segment number: the share of plays that ask for segment n (the catalogue-wide
 *     audience retention curve: segment 1 by nearly every play, segment 40 by few);
 *   - viewers ahead: live sessions of the same asset positioned before the segment, within
 *     `lookahead` segments — they will ask for it soon.
 *
 * estimate(object) = plays(asset) × reach(n) + `aheadWeight` × viewers ahead; objects that are not
 * numbered segments (playlists, init segments, images) are wanted by every play: plays(asset).
 * Measured with bench/origin (docs/benchmarks.md): this is what closed the gap to nginx + 5 points
 * that TinyLFU's per-object counts could not.
 */

export interface ViewingPopularityOptions {
  /** Plays between halvings of every count (yesterday's hit fades). */
  halveEvery?: number;
  /** A session with no request for this long has left. */
  idleMs?: number;
  /** How far ahead of a live session (in segments) an object counts as about to be asked for. */
  lookahead?: number;
  /** What one live session about to reach an object is worth, against plays × reach. */
  aheadWeight?: number;
}

interface LiveSession {
  asset: string;
  /** The last segment number it asked for (0 before its first numbered segment). */
  position: number;
  seenAt: number;
}

/** The asset and, for a numbered media segment (`…/seg_00012.m4s`), its number. */
export function segmentOf(key: string): { asset: string; number: number | undefined } | undefined {
  if (!key.startsWith('assets/')) return undefined;
  const slash = key.indexOf('/', 7);
  if (slash < 0) return undefined;
  const asset = key.slice(7, slash);
  const match = /\/seg_(\d+)\.m4s$/.exec(key);
  return { asset, number: match ? Number(match[1]) : undefined };
}

export class ViewingPopularity {
  private readonly plays = new Map<string, number>();
  private readonly reach: number[] = [];
  private totalPlays = 0;
  private playsSinceHalving = 0;
  private readonly sessions = new Map<string, LiveSession>();
  /** Live sessions by asset, for viewers-ahead. */
  private readonly watching = new Map<string, Set<string>>();
  private recordsSinceSweep = 0;
  private readonly halveEvery: number;
  private readonly idleMs: number;
  private readonly lookahead: number;
  private readonly aheadWeight: number;

  constructor(options: ViewingPopularityOptions = {}) {
    this.halveEvery = options.halveEvery ?? 1000;
    this.idleMs = options.idleMs ?? 60_000;
    this.lookahead = options.lookahead ?? 40;
    this.aheadWeight = options.aheadWeight ?? 10;
  }

  /** Counts one viewer request for `key` by `session` (an unnamed request counts nothing). */
  record(key: string, session: string | undefined, now: number): void {
    if (session === undefined) return;
    const segment = segmentOf(key);
    if (!segment) return;
    let live = this.sessions.get(session);
    if (!live || live.asset !== segment.asset) {
      if (live) this.leave(session, live);
      live = { asset: segment.asset, position: 0, seenAt: now };
      this.sessions.set(session, live);
      let viewers = this.watching.get(segment.asset);
      if (!viewers) this.watching.set(segment.asset, (viewers = new Set()));
      viewers.add(session);
      this.countPlay(segment.asset);
    }
    live.seenAt = now;
    if (segment.number !== undefined) {
      live.position = segment.number;
      this.reach[segment.number] = (this.reach[segment.number] ?? 0) + 1;
    }
    if (++this.recordsSinceSweep >= 1024) this.sweep(now);
  }

  /** Expected demand for `key` (see the top of the file); 0 for what nobody has played. */
  estimate(key: string, now: number): number {
    const segment = segmentOf(key);
    if (!segment) return 0;
    const plays = this.plays.get(segment.asset) ?? 0;
    if (segment.number === undefined) return plays;
    const reach = this.totalPlays > 0 ? (this.reach[segment.number] ?? 0) / this.totalPlays : 0;
    return plays * reach + this.aheadWeight * this.viewersAhead(segment.asset, segment.number, now);
  }

  /** Sessions currently live (for tests and metrics). */
  get liveSessions(): number {
    return this.sessions.size;
  }

  private viewersAhead(asset: string, number: number, now: number): number {
    const viewers = this.watching.get(asset);
    if (!viewers) return 0;
    let ahead = 0;
    for (const id of viewers) {
      const live = this.sessions.get(id)!;
      if (now - live.seenAt > this.idleMs) continue;
      if (live.position < number && number - live.position <= this.lookahead) ahead++;
    }
    return ahead;
  }

  private countPlay(asset: string): void {
    this.plays.set(asset, (this.plays.get(asset) ?? 0) + 1);
    this.totalPlays++;
    if (++this.playsSinceHalving < this.halveEvery) return;
    this.playsSinceHalving = 0;
    this.totalPlays /= 2;
    for (const [id, count] of this.plays) {
      if (count < 0.1) this.plays.delete(id);
      else this.plays.set(id, count / 2);
    }
    for (let n = 0; n < this.reach.length; n++) this.reach[n] = (this.reach[n] ?? 0) / 2;
  }

  private sweep(now: number): void {
    this.recordsSinceSweep = 0;
    for (const [id, live] of this.sessions) if (now - live.seenAt > this.idleMs) this.leave(id, live);
  }

  private leave(id: string, live: LiveSession): void {
    this.sessions.delete(id);
    const viewers = this.watching.get(live.asset);
    viewers?.delete(id);
    if (viewers?.size === 0) this.watching.delete(live.asset);
  }
}

/** One object the disk tier holds, as a replacement policy weighs it. */
export interface HeldObject {
  key: string;
  /** Bytes it takes from the budget. */
  size: number;
}

/**
 * Which held objects a new one replaces: the least wanted first, until `need` bytes are free; none
 * (undefined: leave the new object out) when any of them is wanted at least as much as the new one,
 * or when those offered cannot free enough.
 */
export function chooseVictims(
  candidateScore: number,
  need: number,
  held: readonly (HeldObject & { score: number })[],
): string[] | undefined {
  const byScore = [...held].sort((a, b) => a.score - b.score);
  const victims: string[] = [];
  let freed = 0;
  for (const object of byScore) {
    if (freed >= need) break;
    if (object.score >= candidateScore) return undefined;
    victims.push(object.key);
    freed += object.size;
  }
  return freed >= need ? victims : undefined;
}

/** The disk tier's replacement policy on viewing popularity. */
export class PopularityReplacement {
  constructor(
    readonly viewing: ViewingPopularity,
    private readonly clock: () => number = Date.now,
  ) {}

  choose(candidate: string, need: number, held: Iterable<HeldObject>): string[] | undefined {
    const now = this.clock();
    const scored = [...held].map((object) => ({ ...object, score: this.viewing.estimate(object.key, now) }));
    return chooseVictims(this.viewing.estimate(candidate, now), need, scored);
  }
}
