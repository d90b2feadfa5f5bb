import { describe, expect, it } from 'vitest';
import { fixtureInput } from '../../test/fixtures.js';
import { runToEnd } from './cooperative.js';
import { DEFAULT_ROW_LIMITS, planHome, planPopular } from './home-plan.js';
import type { HomeRow } from './home-rows.js';
import { maturityAllows } from '@marquee/contracts';
import { profileSignals, type HistoryFacts } from './personal-ranking.js';
import { trainSnapshotSteps } from './training.js';

const snapshot = runToEnd(trainSnapshotSteps(fixtureInput()));
const limits = { ...DEFAULT_ROW_LIMITS, rowLength: 6 };

const watched = (titleId: string, minute: number, extra: Partial<HistoryFacts> = {}): HistoryFacts => ({
  titleId,
  played: true,
  completion: 1,
  rating: null,
  inList: false,
  lastEventAt: new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString(),
  ...extra,
});

function home(history: HistoryFacts[], view: Partial<Parameters<typeof planHome>[2]> = {}, rowLength = 6) {
  return planHome(
    snapshot,
    profileSignals(snapshot.catalog, history),
    { ceiling: 'NC-17', ...view },
    { ...limits, rowLength },
  );
}
const row = (rows: HomeRow[], id: string) => rows.find((r) => r.id === id);
const genresOf = (r: HomeRow | undefined) => (r?.items ?? []).map((i) => i.genres[0]);

describe('planHome', () => {
  it('personalises Top picks and Because you watched to what the profile watched', () => {
    // Eight horror titles are left to recommend: three per row leaves some for each row.
    const history = [watched('horror-01', 1), watched('horror-02', 2, { rating: 'up' })];
    const { rows } = home(history, { name: 'Ada' }, 3);
    const picks = row(rows, 'top-picks');
    expect(picks?.title).toBe('Top picks for Ada');
    expect(genresOf(picks)).toEqual(['Horror', 'Horror', 'Horror']);
    const because = rows.filter((r) => r.id.startsWith('because-you-watched:'));
    expect(because.map((r) => r.id)).toEqual([
      'because-you-watched:horror-02',
      'because-you-watched:horror-01',
    ]);
    expect(because[0]!.title).toBe('Because you watched Horror 2');
    expect(genresOf(because[0])).toEqual(['Horror', 'Horror', 'Horror']);
    expect(genresOf(because[1])).toEqual(['Horror', 'Horror']); // de-duplicated: two horror titles were left
  });

  it('never shows a title above the profile’s ceiling, in any row', () => {
    const { rows } = home([watched('animation-01', 1)], {
      ceiling: 'PG',
      continueWatching: [{ titleId: 'horror-03', position: 10, duration: 100 }],
      myList: ['drama-01', 'animation-05'],
    });
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) for (const item of r.items) expect(maturityAllows('PG', item.maturity)).toBe(true);
    expect(row(rows, 'my-list')?.items.map((i) => i.titleId)).toEqual(['animation-05']);
    expect(row(rows, 'continue-watching')).toBeUndefined();
  });

  it('never recommends a finished or thumbed-down title', () => {
    const { rows } = home([
      watched('comedy-01', 1),
      watched('comedy-02', 2, { completion: 0.3, rating: 'down' }),
    ]);
    for (const r of rows) {
      const ids = r.items.map((i) => i.titleId);
      expect(ids).not.toContain('comedy-01');
      expect(ids).not.toContain('comedy-02');
    }
  });

  it('de-duplicates the top rows but lets genre shelves repeat', () => {
    const { rows } = home([watched('drama-01', 1, { completion: 0.5 })], {
      continueWatching: [{ titleId: 'drama-01', position: 50, duration: 100 }],
      myList: ['drama-04'],
    });
    const top = rows.filter((r) => !r.id.startsWith('genre:') && r.id !== 'my-list');
    const ids = top.flatMap((r) => r.items.map((i) => i.titleId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('drama-04'); // shown in My List above
    const cw = row(rows, 'continue-watching')!;
    expect(cw.items[0]).toMatchObject({ titleId: 'drama-01', progress: 0.5, resumeAt: 50 });
    const dramaShelf = row(rows, 'genre:drama')!;
    expect(rows.indexOf(dramaShelf)).toBe(rows.findIndex((r) => r.id.startsWith('genre:'))); // watched genre first
    expect(dramaShelf.items.some((i) => ids.includes(i.titleId))).toBe(true);
  });

  it('orders rows as the design says and leaves out the rows users could not answer', () => {
    const { rows } = home([watched('comedy-01', 1)]);
    expect(rows.map((r) => r.id.split(':')[0])).toEqual([
      'top-picks',
      'because-you-watched',
      'trending',
      'new',
      'genre',
      'genre',
      'genre',
      'genre',
    ]);
    expect(row(rows, 'top-picks')?.title).toBe('Top picks for you');
  });

  it('gives a profile with no history popular picks and the newest titles', () => {
    const { rows } = home([]);
    expect(row(rows, 'top-picks')!.items).toHaveLength(6);
    expect(rows.some((r) => r.id.startsWith('because-you-watched'))).toBe(false);
    // Newest first, de-duplicated against the rows above it.
    const newest = row(rows, 'new')!.items.map((i) => i.titleId);
    expect(newest.length).toBeGreaterThan(0);
  });
});

describe('planPopular', () => {
  it('answers popular and genre rows within a ceiling', () => {
    const { rows } = planPopular(snapshot, 'G', limits);
    expect(rows[0]?.id).toBe('popular');
    expect(rows.map((r) => r.id)).toContain('genre:animation');
    for (const r of rows) for (const item of r.items) expect(item.maturity).toBe('G');
  });
});
