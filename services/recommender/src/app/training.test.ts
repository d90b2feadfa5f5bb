import { describe, expect, it } from 'vitest';
import { fixtureInput, fixtureTitles } from '../../test/fixtures.js';
import { runToEnd } from './cooperative.js';
import { rowFromHistory } from './models/interaction-matrix.js';
import { DEFAULT_TRAINING_CONFIG, trainSnapshotSteps, type TrainingInput } from './training.js';

const train = (input: TrainingInput, config = DEFAULT_TRAINING_CONFIG) =>
  runToEnd(trainSnapshotSteps(input, config));

describe('trainSnapshotSteps', () => {
  it('trains EASE over the watched titles, with popularity, trending, item-kNN and content alongside', () => {
    const snapshot = train(fixtureInput());
    expect(snapshot.personalModel).toBe('ease');
    expect(snapshot.catalog.titles).toHaveLength(40);
    expect(snapshot.profiles).toBe(32);
    expect(snapshot.popularity).toHaveLength(40);
    expect(snapshot.trending.some((t) => t > 0)).toBe(true);
    const comedy = snapshot.catalog.index.get('comedy-01')!;
    expect(
      snapshot.itemKnn
        .neighboursOf(comedy, 3)
        .every((n) => snapshot.catalog.titles[n.item]!.genres[0] === 'Comedy'),
    ).toBe(true);
  });

  it('is deterministic: the same facts in another order give the same version and the same scores', () => {
    const input = fixtureInput();
    const one = train(input);
    const two = train({
      titles: [...input.titles].reverse(),
      interactions: [...input.interactions].reverse(),
    });
    expect(two.version).toBe(one.version);
    const history = rowFromHistory(one.catalog.index, [{ item: 'drama-03', weight: 1 }]);
    expect(two.personal!.score(history)).toEqual(one.personal!.score(history));
    expect(two.trending).toEqual(one.trending);
  });

  it('changes version when the facts change', () => {
    const input = fixtureInput();
    const more = {
      ...input,
      interactions: [...input.interactions, { ...input.interactions[0]!, profileId: 'new' }],
    };
    expect(train(more).version).not.toBe(train(input).version);
  });

  it('trains EASE on the watched titles only, not on the catalog', () => {
    const input = fixtureInput();
    const unwatched = { ...fixtureTitles(1)[0]!, titleId: 'zz-unwatched', name: 'Nobody watched me' };
    const snapshot = train({ ...input, titles: [...input.titles, unwatched] });
    expect(snapshot.catalog.titles).toHaveLength(41);
    expect(snapshot.activeItems).toBe(40);
    expect(snapshot.ease!.items).toHaveLength(40);
    const index = snapshot.catalog.index.get('zz-unwatched')!;
    expect(snapshot.ease!.items).not.toContain(index);
    const history = rowFromHistory(snapshot.catalog.index, [{ item: 'drama-03', weight: 1 }]);
    const scores = snapshot.personal!.score(history);
    expect(scores).toHaveLength(41);
    expect(scores[index]).toBe(0);
    // Same EASE as without the unwatched title: its zero column changes nothing.
    const without = train(input).personal!.score(
      rowFromHistory(train(input).catalog.index, [{ item: 'drama-03', weight: 1 }]),
    );
    expect(Array.from(scores).filter((_, j) => j !== index)).toEqual(Array.from(without));
  });

  it('above the limit, trains EASE on the most watched titles and lets item-kNN rank the rest', () => {
    const input = fixtureInput();
    const snapshot = train(input, { ...DEFAULT_TRAINING_CONFIG, easeMaxItems: 20 });
    expect(snapshot.personalModel).toBe('ease');
    expect(snapshot.ease!.items).toHaveLength(20);
    const counts = new Map<number, number>();
    for (const row of input.interactions) {
      const item = snapshot.catalog.index.get(row.titleId)!;
      counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    const head = new Set(snapshot.ease!.items);
    const least = Math.min(...[...head].map((i) => counts.get(i) ?? 0));
    for (const [item, count] of counts) if (!head.has(item)) expect(count).toBeLessThanOrEqual(least);
    const tail = [...counts.keys()].find((item) => !head.has(item))!;
    const genre = snapshot.catalog.titles[tail]!.genres[0]!;
    const sameGenre = snapshot.catalog.titles.findIndex(
      (t, j) => j !== tail && t.genres[0] === genre && head.has(j),
    );
    const scores = snapshot.personal!.score(
      rowFromHistory(snapshot.catalog.index, [
        { item: snapshot.catalog.titles[sameGenre]!.titleId, weight: 1 },
      ]),
    );
    expect(scores[tail]).toBeGreaterThan(0);
  });

  it('ranks with item-kNN alone when EASE is off (RECS_EASE_MAX_ITEMS=0)', () => {
    const snapshot = train(fixtureInput(), { ...DEFAULT_TRAINING_CONFIG, easeMaxItems: 0 });
    expect(snapshot.personalModel).toBe('itemknn');
    expect(snapshot.personal).toBe(snapshot.itemKnn);
    expect(snapshot.version.startsWith('itemknn-')).toBe(true);
  });

  it('counts an episode’s plays for its series and never lists the episode itself', () => {
    const titles = [
      ...fixtureTitles(2),
      { ...fixtureTitles(1)[0]!, titleId: 'ep-1', name: 'Pilot', seriesId: 'comedy-00' },
    ];
    const play = {
      played: true,
      completion: 1,
      lastStartedAt: '2026-02-01T00:00:00.000Z',
      rating: null,
      inList: false,
    };
    const snapshot = train({
      titles,
      interactions: [
        { ...play, profileId: 'p', titleId: 'ep-1' },
        { ...play, profileId: 'q', titleId: 'comedy-00' },
      ],
    });
    expect(snapshot.catalog.index.has('ep-1')).toBe(false);
    expect(snapshot.catalog.itemOf('ep-1')).toBe(snapshot.catalog.index.get('comedy-00'));
    expect(snapshot.popularity[snapshot.catalog.index.get('comedy-00')!]).toBe(2);
  });

  it('trains nothing personal before the first interaction', () => {
    const snapshot = train({ titles: fixtureTitles(2), interactions: [] });
    expect(snapshot.personalModel).toBe('none');
    expect(snapshot.personal).toBeUndefined();
  });
});
