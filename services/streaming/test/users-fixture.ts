import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureProfile {
  accountId: string;
  kids: boolean;
  maxMaturity: 'G' | 'PG' | 'PG-13' | 'R' | 'NC-17';
}

/**
 * A stand-in for the users service's internal API (its contract as streaming uses it), on a real
 * loopback port: profiles by id, accounts' maturity ceilings, and one resume position per profile and title. `down()` makes every
 * call fail with a connection reset, as when users is stopped.
 */
export async function startUsersFixture() {
  const profiles = new Map<string, FixtureProfile>();
  const history = new Map<string, { position: number; completed: boolean }>();
  /** Accounts that have not confirmed their email address (every other one has). */
  const unverified = new Set<string>();
  /** Every profile id streaming asked users for, in order (a cached answer asks nothing). */
  const profileLookups: string[] = [];
  let down = false;
  const server: Server = createServer((req, res) => {
    if (down) return req.socket.destroy();
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    let match = /^\/internal\/profiles\/([^/]+)$/.exec(url.pathname);
    if (match) {
      profileLookups.push(decodeURIComponent(match[1]!));
      const profile = profiles.get(decodeURIComponent(match[1]!));
      return profile
        ? send(200, { profileId: match[1], name: 'p', ...profile })
        : send(404, { code: 'not_found', status: 404 });
    }
    match = /^\/internal\/accounts\/([^/]+)$/.exec(url.pathname);
    if (match) {
      // The most permissive of the account's profiles, as users answers it; an account the fixture has
      // no profiles for browses everything, as a new account's adult profile does.
      const accountId = decodeURIComponent(match[1]!);
      const ranks = ['G', 'PG', 'PG-13', 'R', 'NC-17'];
      const own = [...profiles.values()].filter((p) => p.accountId === accountId);
      const maxMaturity =
        own.length === 0
          ? 'NC-17'
          : own.map((p) => p.maxMaturity).reduce((a, b) => (ranks.indexOf(b) > ranks.indexOf(a) ? b : a));
      const emailVerified = !unverified.has(accountId);
      return send(200, { accountId, plan: 'premium', role: 'viewer', maxMaturity, emailVerified });
    }
    match = /^\/api\/profiles\/([^/]+)\/history$/.exec(url.pathname);
    if (match) {
      // Most recent first: the newest entry set in the map is the most recent viewing.
      const items = [...history]
        .filter(([key]) => key.startsWith(`${match![1]}/`))
        .map(([key, item]) => ({ titleId: key.slice(key.indexOf('/') + 1), ...item }))
        .reverse();
      return send(200, { items });
    }
    match = /^\/api\/profiles\/([^/]+)\/history\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const item = history.get(`${match[1]}/${match[2]}`);
      return item ? send(200, { titleId: match[2], ...item }) : send(404, { code: 'not_found', status: 404 });
    }
    send(404, { code: 'not_found', status: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    profiles,
    history,
    unverified,
    profileLookups,
    setDown(value: boolean) {
      down = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
