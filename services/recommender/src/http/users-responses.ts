import type { ContinueWatchingEntry } from '../app/home-rows.js';
import { isMaturity } from '@marquee/contracts';
import type { ProfileInfo } from '../app/users-directory.js';

/**
 * Readers for the users service's internal answers. Tolerant on purpose (an array or an
 * `{items: […]}` envelope; extra fields ignored; entries without a title id skipped), because a home
 * page must not break when users adds a field — but strict on what decides safety: a profile without
 * a recognisable maturity ceiling is treated as unreadable, never as "anything goes".
 */
function list(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    for (const key of ['items', 'titles', 'entries']) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value;
    }
  }
  return [];
}

const field = (entry: unknown, key: string): unknown =>
  entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[key] : undefined;

function finiteNonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function readProfile(body: unknown): ProfileInfo | undefined {
  const maxMaturity = field(body, 'maxMaturity');
  if (!isMaturity(maxMaturity)) return undefined;
  const name = field(body, 'name');
  return { name: typeof name === 'string' ? name : '', kids: field(body, 'kids') === true, maxMaturity };
}

export function readContinueWatching(body: unknown): ContinueWatchingEntry[] {
  return list(body).flatMap((entry) => {
    const titleId = field(entry, 'titleId');
    if (typeof titleId !== 'string' || titleId.length === 0) return [];
    const position =
      finiteNonNegative(field(entry, 'position')) ?? finiteNonNegative(field(entry, 'resumeAt')) ?? 0;
    const duration = finiteNonNegative(field(entry, 'duration'));
    return [{ titleId, position, ...(duration !== undefined ? { duration } : {}) }];
  });
}

export function readMyList(body: unknown): string[] {
  return list(body).flatMap((entry) => {
    const titleId = typeof entry === 'string' ? entry : field(entry, 'titleId');
    return typeof titleId === 'string' && titleId.length > 0 ? [titleId] : [];
  });
}
