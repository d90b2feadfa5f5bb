import { DomainError } from './errors.js';
import { coreProblems } from './problems.js';

/** RFC 9457 problem details, as answered by every Marquee service. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  [extension: string]: unknown;
}

export interface ProblemEntry {
  readonly status: number;
  readonly title: string;
}

/**
 * One module's problem codes, code → HTTP status and title, declared once as a static object (as
 * Fastify's `errors.js`): core's (problems.ts), platform's, and each service's `app/problems.ts`.
 * A server answers core's codes and the catalogues its service gives createServiceServer.
 *
 * @example
 *   export const analyticsProblems = {
 *     'telemetry.session_ended': { status: 409, title: 'This playback session has ended' },
 *   } as const satisfies ProblemCodes;
 */
export type ProblemCodes = Readonly<Record<string, ProblemEntry>>;

/**
 * What a code missing from the catalogues answers, its `code` still stable. Codes that no answer was
 * designed for (a database or a tool failing) are listed with it, so that every code thrown is in a
 * catalogue and answers what it answered before the catalogues.
 */
export const REQUEST_REFUSED: ProblemEntry = { status: 400, title: 'Request refused' };

/** Catalogue entries of one status from titles: `withStatus(403, PLAYBACK_REFUSALS)`. */
export function withStatus<Code extends string>(
  status: number,
  titles: Readonly<Record<Code, string>>,
): Record<Code, ProblemEntry> {
  const entries = {} as Record<Code, ProblemEntry>;
  for (const code of Object.keys(titles) as Code[]) entries[code] = { status, title: titles[code] };
  return entries;
}

export function problemType(code: string): string {
  return `urn:marquee:problem:${code}`;
}

/** The codes one server answers: core's and the given catalogues; a code two of them define must agree. */
export class ProblemCatalogue {
  readonly #entries = new Map<string, ProblemEntry>();

  constructor(...catalogues: ProblemCodes[]) {
    for (const codes of [coreProblems, ...catalogues]) {
      for (const [code, entry] of Object.entries(codes)) {
        const known = this.#entries.get(code);
        if (known && (known.status !== entry.status || known.title !== entry.title)) {
          throw new Error(
            `problem ${code} is defined twice: ${JSON.stringify(known)} and ${JSON.stringify(entry)}`,
          );
        }
        this.#entries.set(code, entry);
      }
    }
  }

  has(code: string): boolean {
    return this.#entries.has(code);
  }

  toProblem(error: DomainError, instance?: string): Problem {
    const entry = this.#entries.get(error.code) ?? REQUEST_REFUSED;
    return {
      ...error.details,
      type: problemType(error.code),
      title: entry.title,
      status: entry.status,
      detail: error.message,
      code: error.code,
      ...(instance ? { instance } : {}),
    };
  }

  problem(code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
    return this.toProblem(new DomainError(code, detail, extra));
  }
}

const core = new ProblemCatalogue();

/** A problem of one of core's codes (a service's own codes: its server's catalogue). */
export function toProblem(error: DomainError, instance?: string): Problem {
  return core.toProblem(error, instance);
}

export function problem(code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return core.problem(code, detail, extra);
}
