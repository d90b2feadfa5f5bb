/**
 * What a newcomer's terminal shows once `npm start` is up (only on a TTY: a pipe gets JSON log lines
 * alone, so `npm start | cat` stays machine-readable). Pure, so the wording is tested without a terminal.
 */
export interface BannerFacts {
  url: string;
  dataDir: string;
  /** The first admin's credentials, when they were generated just now (shown once). */
  generatedAdmin?: { email: string; password: string };
  /** How many demo titles are being added in the background, when demo content loads. */
  demoTitles?: number;
}

export function startBanner(facts: BannerFacts): string {
  const rows: [string, string][] = [['Open', facts.url]];
  if (facts.generatedAdmin) {
    rows.push(['Admin', `${facts.generatedAdmin.email} / ${facts.generatedAdmin.password}`]);
    rows.push(['', 'shown only this once; MARQUEE_ADMIN_EMAIL/MARQUEE_ADMIN_PASSWORD choose your own']);
  }
  rows.push(['Data', facts.dataDir]);
  if (facts.demoTitles !== undefined) {
    rows.push(['Demo', `adding ${facts.demoTitles} titles in the background (MARQUEE_DEMO=0 skips them)`]);
  }
  rows.push(['Stop', 'Ctrl+C (finishes what is running first)']);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  return ['', '  Marquee is running', '', ...lines, ''].join('\n');
}

/** One line of demo progress, counting finished encodes: "demo: encoding, 3 of 8 titles done". */
export function demoProgressLine(finished: number, total: number): string {
  return finished < total
    ? `demo: encoding, ${finished} of ${total} titles done`
    : `demo: all ${total} titles encoded; the catalog is complete`;
}

/** The users service's one-time line "Marquee admin account created: <email> / password <pw>…". */
export function parseGeneratedAdmin(line: string): { email: string; password: string } | undefined {
  const match = /admin account created: (\S+) \/ password (\S+)/.exec(line);
  return match ? { email: match[1]!, password: match[2]! } : undefined;
}
