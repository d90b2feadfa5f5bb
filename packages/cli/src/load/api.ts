import { failureKind, RequestFailed, type ViewerHttp } from './http.js';
import type { LoadMetrics } from './metrics.js';
import type { Plan } from './options.js';

export interface ApiAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** An error's kind in the report: the call, the status and the problem's code ("heartbeat http 403 playback.session_ended"). */
export function answerKind(name: string, answer: ApiAnswer): string {
  const code = answer.json.code;
  const known = typeof code === 'string' && code.length > 0 && code.length <= 80;
  return `${name} http ${answer.status}${known ? ` ${code}` : ''}`;
}

/** Sign-in state of one account, shared by the viewers of a household (one profile each). */
export class Account {
  accessToken?: string;
  refreshToken?: string;
  profiles: string[] = [];
  private signingIn?: Promise<void>;
  private refreshing?: Promise<void>;

  constructor(
    readonly email: string,
    readonly password: string,
    /** Sign up (a new account) or log in (given credentials). */
    readonly create: boolean,
    readonly plan: Plan,
    /** Profiles the household needs. */
    readonly members: number,
  ) {}

  /** Signs in once for every member; the owner adds the household's missing profiles. */
  signIn(api: Api): Promise<void> {
    this.signingIn ??= (async () => {
      const path = this.create ? '/api/auth/signup' : '/api/auth/login';
      const body = this.create
        ? { email: this.email, password: this.password, plan: this.plan }
        : { email: this.email, password: this.password };
      const name = this.create ? 'signup' : 'login';
      this.tokens(await api.expect(name, 'POST', path, body));
      const listed = await api.expect('profiles', 'GET', '/api/profiles', undefined, this);
      const items = (listed.json.items ?? listed.json.profiles ?? []) as { profileId: string }[];
      this.profiles = items.map((p) => p.profileId);
      while (this.profiles.length < this.members) {
        const name = `Viewer ${this.profiles.length + 1}`;
        const made = await api.expect('profiles', 'POST', '/api/profiles', { name, kids: false }, this);
        this.profiles.push(made.json.profileId as string);
      }
    })();
    // A failed sign-in may be tried again by the next viewer of the household.
    this.signingIn.catch(() => (this.signingIn = undefined));
    return this.signingIn;
  }

  /** One refresh for every member whose call met an expired access token (rotation is single-use). */
  refresh(api: Api, staleToken: string | undefined): Promise<void> {
    if (this.accessToken !== staleToken) return Promise.resolve();
    this.refreshing ??= api
      .expect('refresh', 'POST', '/api/auth/refresh', { refreshToken: this.refreshToken })
      .then((answer) => this.tokens(answer))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private tokens(answer: ApiAnswer): void {
    this.accessToken = answer.json.accessToken as string;
    this.refreshToken = answer.json.refreshToken as string;
  }
}

/** The public API as one viewer calls it: JSON in and out, bearer token, one refresh on a 401. */
export class Api {
  constructor(
    private readonly http: ViewerHttp,
    private readonly base: URL,
    private readonly metrics: LoadMetrics,
  ) {}

  /**
   * Any HTTP answer is returned (callers decide what a 403 or 404 means); no answer at all throws.
   * `name` labels errors in the report ("playback http 503").
   */
  async call(
    name: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    account?: Account,
  ): Promise<ApiAnswer> {
    for (let attempt = 0; ; attempt++) {
      const token = account?.accessToken;
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      this.metrics.requests.api++;
      let status: number;
      let text: string;
      try {
        const res = await this.http.request(
          new URL(path, this.base),
          { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) },
          true,
        );
        status = res.status;
        text = res.body?.toString('utf8') ?? '';
      } catch (err) {
        this.metrics.error(`${name} ${failureKind(err)}`);
        throw err;
      }
      if (status === 401 && account && attempt === 0 && account.refreshToken) {
        await account.refresh(this, token);
        continue;
      }
      let json: Record<string, unknown> = {};
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        // A non-JSON answer (a proxy's error page): the status says enough.
      }
      return { status, json };
    }
  }

  /** A call that must succeed: anything but a 2xx is counted as an error and thrown. */
  async expect(
    name: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    account?: Account,
  ): Promise<ApiAnswer> {
    const answer = await this.call(name, method, path, body, account);
    if (answer.status < 200 || answer.status > 299) {
      const kind = answerKind(name, answer);
      this.metrics.error(kind);
      throw new RequestFailed(kind, path, answer.status);
    }
    return answer;
  }
}
