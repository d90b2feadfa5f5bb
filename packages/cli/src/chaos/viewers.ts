/**
 * Viewers that keep a ledger: each signs up, then loops over sessions — start playback through the
 * gateway, fetch the master playlist, a variant and its first segment from an edge (moving to another
 * edge of the session when one fails, as content steering does), send heartbeats, now and then rate a
 * title or change My List, stop — counting starts and errors per second and remembering every write
 * the API accepted, so an audit can look for each one in its owning store afterwards.
 *
 * A start is the viewer's, not a request's: it succeeds when the first media segment arrives, and the
 * viewer retries a start once after 250 ms when the platform answered 502/503/504 or the connection
 * failed (what a player shell does); a start that still fails counts as failed. Every failed attempt,
 * first attempts included, counts as an error in the timeline (`errors`: first-attempt errors); a
 * request that still failed after the client's own retry — the API call's one retry, the segment's
 * move to the session's other edge, as a player with content steering moves to its other pathway —
 * counts as a failed request (`failedRequests`), what the viewer finally met.
 */

export interface ViewerLoadOptions {
  gateway: string;
  viewers: number;
  titleIds: readonly string[];
  /** Pause between one viewer's sessions. */
  thinkMs?: number;
  heartbeatsPerSession?: number;
  /** Each viewer comes from its own 127.77.x.y address (X-Forwarded-For through the ingress). */
  spreadAddresses?: boolean;
}

export interface Second {
  /** Seconds since the load began. */
  t: number;
  starts: number;
  failedStarts: number;
  /** Failed attempts, first attempts included (each later retried or not). */
  errors: number;
  /** Requests that failed after the client's own retry or failover: what the viewer met. */
  failedRequests?: number;
}

/** What the API said yes to, keyed `profileId/titleId`; `uncertain` keys had a write of unknown outcome since. */
export interface Ledger {
  heartbeats: Map<string, number>;
  ratings: Map<string, 'up' | 'down'>;
  myList: Map<string, boolean>;
  uncertain: Set<string>;
}

interface Viewer {
  index: number;
  token: string;
  profileId: string;
  session: number;
  address: string;
}

const RETRYABLE = new Set([502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ViewerLoad {
  readonly ledger: Ledger = {
    heartbeats: new Map(),
    ratings: new Map(),
    myList: new Map(),
    uncertain: new Set(),
  };
  /** A sample of why things failed, for the report (first 50). */
  readonly failures: string[] = [];
  private readonly seconds = new Map<number, Second>();
  private startedAt = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly run = Date.now().toString(36);

  constructor(private readonly options: ViewerLoadOptions) {
    if (options.titleIds.length === 0) throw new Error('viewers need at least one playable title');
  }

  /** Signs every viewer up, then starts their loops; resolves once all are signed in. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    const viewers: Viewer[] = [];
    for (let i = 0; i < this.options.viewers; i += 1) viewers.push(await this.signUp(i));
    this.startedAt = Date.now();
    this.loops = viewers.map((v) => this.loop(v));
  }

  /** Stops starting sessions, lets the ones under way end, and resolves when every loop has. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  elapsedSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /** One entry per whole second since start, zeros included. */
  timeline(): Second[] {
    const last = Math.floor(this.elapsedSeconds());
    return Array.from(
      { length: last + 1 },
      (_, t) => this.seconds.get(t) ?? { t, starts: 0, failedStarts: 0, errors: 0, failedRequests: 0 },
    );
  }

  totals(): { starts: number; failedStarts: number; errors: number; failedRequests: number } {
    const all = [...this.seconds.values()];
    const sum = (k: Exclude<keyof Second, 't'>) => all.reduce((a, s) => a + (s[k] ?? 0), 0);
    return {
      starts: sum('starts'),
      failedStarts: sum('failedStarts'),
      errors: sum('errors'),
      failedRequests: sum('failedRequests'),
    };
  }

  private count(kind: Exclude<keyof Second, 't'>, why?: string): void {
    const t = Math.floor(this.elapsedSeconds());
    const s = this.seconds.get(t) ?? { t, starts: 0, failedStarts: 0, errors: 0, failedRequests: 0 };
    s[kind] = (s[kind] ?? 0) + 1;
    this.seconds.set(t, s);
    if (why && this.failures.length < 50) this.failures.push(`${t}s ${why}`);
  }

  private headers(v: Pick<Viewer, 'address'> & { token?: string }, json = false): Record<string, string> {
    return {
      ...(v.token ? { authorization: `Bearer ${v.token}` } : {}),
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(this.options.spreadAddresses === false ? {} : { 'x-forwarded-for': v.address }),
    };
  }

  /** One API call, retried once when it failed in a way that says "try again"; throws with the reason. */
  private async api(
    v: Viewer,
    method: string,
    path: string,
    body?: unknown,
    retry = true,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt += 1) {
      let reason: string;
      try {
        const res = await fetch(`${this.options.gateway}${path}`, {
          method,
          headers: this.headers(v, body !== undefined),
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) return res;
        reason = `${method} ${path.replace(/[0-9a-f-]{20,}/g, ':id')} ${res.status} ${(await res.text()).slice(0, 120)}`;
        if (!RETRYABLE.has(res.status)) {
          this.count('errors', reason);
          this.count('failedRequests');
          throw new RequestFailed(reason, res.status);
        }
      } catch (err) {
        if (err instanceof RequestFailed) throw err;
        reason = `${method} ${path.replace(/[0-9a-f-]{20,}/g, ':id')} ${describe(err as Error)}`;
      }
      this.count('errors', reason);
      if (!retry || attempt >= 1) {
        this.count('failedRequests', `failed after its retry: ${reason}`);
        throw new RequestFailed(reason, 0);
      }
      await sleep(250);
    }
  }

  private async signUp(index: number): Promise<Viewer> {
    const address = `127.77.${(index >> 8) & 255}.${(index & 255) + 1}`;
    const partial = { index, token: '', profileId: '', session: 0, address };
    const res = await this.api(partial, 'POST', '/api/auth/signup', {
      email: `chaos-${this.run}-${index}@marquee.test`,
      password: 'chaos viewer passphrase',
      plan: 'premium',
    });
    const token = ((await res.json()) as { accessToken: string }).accessToken;
    const profiles = (await (await this.api({ ...partial, token }, 'GET', '/api/profiles')).json()) as
      { items: { profileId: string }[] } | { profileId: string }[];
    const profileId = (Array.isArray(profiles) ? profiles : profiles.items)[0]!.profileId;
    return { ...partial, token, profileId };
  }

  private async loop(v: Viewer): Promise<void> {
    while (!this.stopping) {
      const titleId = this.options.titleIds[(v.index + v.session) % this.options.titleIds.length]!;
      v.session += 1;
      await this.session(v, titleId).catch(() => undefined);
      await sleep(this.options.thinkMs ?? 200);
    }
  }

  private async session(v: Viewer, titleId: string): Promise<void> {
    let playback: { sessionId: string; manifestUrl: string; edges: { url: string }[]; resumeAt: number };
    const key = `${v.profileId}/${titleId}`;
    try {
      const res = await this.api(v, 'POST', '/api/playback', { profileId: v.profileId, titleId }).catch(
        (err: unknown) => {
          // A start of unknown outcome may have moved the stored position (a rewatch starts at 0).
          if (!(err instanceof RequestFailed && err.status >= 400 && err.status < 500))
            this.ledger.uncertain.add(`heartbeats:${key}`);
          throw err;
        },
      );
      playback = (await res.json()) as typeof playback;
      // An accepted start is a position write too: past the end of the title it counts as finished, and
      // the next start rewatches from 0. The store must hold the LAST accepted position.
      this.ledger.heartbeats.set(key, playback.resumeAt);
      await this.firstSegment(
        playback.manifestUrl,
        playback.edges.map((e) => e.url),
      );
      this.count('starts');
    } catch (err) {
      this.count('failedStarts', `start: ${(err as Error).message}`);
      return;
    }
    const beats = this.options.heartbeatsPerSession ?? 2;
    for (let k = 1; k <= beats; k += 1) {
      // Positions grow within a session, so the last accepted is what the store must end with.
      const position = v.session * 100 + k;
      await this.write(key, 'heartbeats', () =>
        this.api(v, 'POST', `/api/playback/${playback.sessionId}/heartbeat`, { position }),
      ).then((ok) => ok && this.ledger.heartbeats.set(key, position));
    }
    if (v.session % 3 === 0) {
      const rating = v.session % 2 === 0 ? 'up' : 'down';
      await this.write(key, 'ratings', () =>
        this.api(v, 'PUT', `/api/profiles/${v.profileId}/ratings/${titleId}`, { rating }),
      ).then((ok) => ok && this.ledger.ratings.set(key, rating));
    }
    if (v.session % 4 === 0) {
      const add = !this.ledger.myList.get(key);
      await this.write(key, 'myList', () =>
        this.api(v, add ? 'PUT' : 'DELETE', `/api/profiles/${v.profileId}/list/${titleId}`),
      ).then((ok) => ok && this.ledger.myList.set(key, add));
    }
    await this.api(v, 'DELETE', `/api/playback/${playback.sessionId}`).catch(() => undefined);
  }

  /** Runs a write; a failure of unknown outcome (not a clear 4xx) makes the key uncertain for the audit. */
  private async write(
    key: string,
    kind: keyof Omit<Ledger, 'uncertain'>,
    call: () => Promise<Response>,
  ): Promise<boolean> {
    try {
      await (await call()).arrayBuffer();
      return true;
    } catch (err) {
      if (!(err instanceof RequestFailed && err.status >= 400 && err.status < 500)) {
        this.ledger.uncertain.add(`${kind}:${key}`);
      }
      return false;
    }
  }

  /**
   * Master playlist → first variant → first segment, moving to the session's next edge when one fails
   * (each failed attempt an error; only all edges failing a failed request).
   */
  private async firstSegment(manifestUrl: string, edges: readonly string[]): Promise<void> {
    const path = new URL(manifestUrl).pathname;
    const origins = [new URL(manifestUrl).origin, ...edges.map((e) => new URL(e).origin)];
    const tried = [...new Set(origins)];
    let last: Error | undefined;
    for (const origin of tried) {
      try {
        const master = new URL(path, origin);
        const variant = new URL(firstUri(await text(master)), master);
        const segment = new URL(firstUri(await text(variant)), variant);
        const res = await fetch(segment, { signal: AbortSignal.timeout(10_000) });
        const bytes = (await res.arrayBuffer()).byteLength;
        if (res.status !== 200 || bytes === 0) throw new Error(`segment ${res.status}`);
        return;
      } catch (err) {
        last = err as Error;
        this.count('errors', `edge ${origin}: ${describe(last)}`);
      }
    }
    this.count('failedRequests', `every edge failed: ${describe(last)}`);
    throw last ?? new Error('no edge');
  }
}

/** fetch's "fetch failed" with its cause (ECONNREFUSED, other side closed…), which says what happened. */
function describe(err: Error | undefined): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${err!.message} (${detail})` : (err?.message ?? 'no edge');
}

class RequestFailed extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function text(url: URL): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${url.pathname.split('/').pop()} ${res.status}`);
  return body;
}

function firstUri(playlist: string): string {
  const uri = playlist
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'));
  if (!uri) throw new Error('playlist without URIs');
  return uri;
}
