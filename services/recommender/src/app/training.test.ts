import { describe, expect, it } from 'vitest';
import { fixtureInput, fixtureTitles } from '../../test/fixtures.js';
import { runToEnd } from './cooperative.js';
import { rowFromHistory } from './models/interaction-matrix.js';
import { DEFAULT_TRAINING_CONFIG, trainSnapshotSteps, type TrainingInput } from './training.js';

const train = (input: TrainingInput, config = DEFAULT_TRAINING_CONFIG) =>
  runToEnd(trainSnapshotSteps(input, config));

describe('trainSnapshotSteps', () => {
  it('trains EASE over the catalog, with popularity, trending, item-kNN and content alongside', () => {
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

  it('falls back to item-kNN above the EASE item limit', () => {
    const snapshot = train(fixtureInput(), { ...DEFAULT_TRAINING_CONFIG, easeMaxItems: 39 });
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
