/** Pure mapping between Marquee's event vocabulary and NATS subjects, streams and consumer filters. */

export function eventSubject(prefix: string, type: string): string {
  return `${prefix}.${type}`;
}

export function deadLetterSubject(prefix: string, group: string): string {
  return `${prefix}_dlq.${group}`;
}

export function streamSubjects(prefix: string): { events: string; deadLetters: string } {
  return { events: `${prefix}.>`, deadLetters: `${prefix}_dlq.>` };
}

export function deadLetterStream(stream: string): string {
  return `${stream}_DLQ`;
}

export function typeOfSubject(prefix: string, subject: string): string {
  return subject.startsWith(`${prefix}.`) ? subject.slice(prefix.length + 1) : subject;
}

/** True for a nats-server version at or above major.minor. */
export function serverAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return false;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj > major || (maj === major && min >= minor);
}

export interface ConsumerFilter {
  filter_subject?: string;
  filter_subjects?: string[];
  /** The server cannot filter to exactly these types: the member acks the others without handling them. */
  filterInClient: boolean;
}

/**
 * A consumer filtered to `types`. Several filter subjects need nats-server 2.10; before that a
 * consumer takes one subject, so a group of several types consumes the whole prefix and drops the
 * other types itself (they then count in its lag until acknowledged).
 */
export function consumerFilter(
  prefix: string,
  types: readonly string[],
  serverVersion: string | undefined,
): ConsumerFilter {
  const subjects = types.map((type) => eventSubject(prefix, type));
  if (subjects.length === 1) return { filter_subject: subjects[0]!, filterInClient: false };
  if (serverAtLeast(serverVersion, 2, 10)) return { filter_subjects: subjects, filterInClient: false };
  return { filter_subject: streamSubjects(prefix).events, filterInClient: true };
}

/** What a NATS subject prefix must look like: one or more dotted tokens without wildcards. */
export const SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;
