import type { CatalogEntry } from '../src/app/catalog.js';
import type { Maturity } from '@marquee/contracts';
import type { TrainingInput } from '../src/app/training.js';

/**
 * A small catalog with planted taste: four genres of ten titles each; profiles in each "taste" watch
 * and finish titles of their genre. Ids sort in a known order: `<genre>-<nn>`.
 */
export const GENRES = ['Comedy', 'Horror', 'Drama', 'Animation'] as const;

const maturityOf: Record<(typeof GENRES)[number], Maturity> = {
  Comedy: 'PG-13',
  Horror: 'R',
  Drama: 'PG-13',
  Animation: 'G',
};

export function fixtureTitles(perGenre = 10): CatalogEntry[] {
  return GENRES.flatMap((genre, g) =>
    Array.from({ length: perGenre }, (_, i) => ({
      titleId: `${genre.toLowerCase()}-${String(i).padStart(2, '0')}`,
      name: `${genre} ${i}`,
      year: 2000 + i,
      maturity: maturityOf[genre],
      genres: [genre],
      posterUrl: null,
      seriesId: null,
      publishedAt: new Date(Date.UTC(2026, 0, 1 + g * perGenre + i)).toISOString(),
    })),
  );
}

export interface FixtureInteraction {
  profileId: string;
  titleId: string;
  played: boolean;
  completion: number;
  lastStartedAt: string | null;
  rating: 'up' | 'down' | null;
  inList: boolean;
  lastEventAt: string;
}

/** Profiles `<genre>-fan-<k>` each finishing several titles of their genre (deterministic pattern). */
export function fixtureInteractions(fansPerGenre = 8, perGenre = 10): FixtureInteraction[] {
  const rows: FixtureInteraction[] = [];
  GENRES.forEach((genre, g) => {
    for (let k = 0; k < fansPerGenre; k++) {
      for (let i = 0; i < perGenre; i++) {
        if ((i + k) % 3 === 0) continue; // each fan watched about two thirds of the genre
        const at = new Date(Date.UTC(2026, 1, 1, g, k, i)).toISOString();
        rows.push({
          profileId: `${genre.toLowerCase()}-fan-${k}`,
          titleId: `${genre.toLowerCase()}-${String(i).padStart(2, '0')}`,
          played: true,
          completion: 1,
          lastStartedAt: at,
          rating: null,
          inList: false,
          lastEventAt: at,
        });
      }
    }
  });
  return rows;
}

export function fixtureInput(): TrainingInput {
  return { titles: fixtureTitles(), interactions: fixtureInteractions() };
}
