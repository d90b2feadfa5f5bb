import type { Maturity } from '@marquee/contracts';

/** The demo catalog: enough variety to exercise rows, maturity filters, series and track menus. */
export interface DemoVideo {
  /** lavfi video source expression (no files are read). */
  video: string;
  /** Audio tracks: [language, tone frequency]. */
  audio: [string, number][];
  /** Subtitle tracks embedded as text streams: [language, lines]. */
  subtitles?: [string, string[]][];
  seconds: number;
}

export interface DemoTitle {
  type: 'movie' | 'series';
  name: string;
  synopsis: string;
  year: number;
  maturity: Maturity;
  genres: string[];
  video?: DemoVideo;
  seasons?: { name: string; video: DemoVideo }[][];
}

const clip = (video: string, seconds = 12, audio: [string, number][] = [['en', 440]]): DemoVideo => ({
  video,
  audio,
  seconds,
});

export const DEMO_CATALOG: DemoTitle[] = [
  {
    type: 'movie',
    name: 'Night Harbor',
    synopsis: 'A dock worker finds a ledger that half the city would kill to read.',
    year: 2024,
    maturity: 'R',
    genres: ['Thriller', 'Crime'],
    video: clip('mandelbrot=size=854x480:rate=30'),
  },
  {
    type: 'movie',
    name: 'Paper Planets',
    synopsis: 'Two siblings fold a solar system out of homework and have to put it back before Monday.',
    year: 2023,
    maturity: 'G',
    genres: ['Animation', 'Family'],
    video: clip('testsrc2=size=854x480:rate=30'),
  },
  {
    type: 'movie',
    name: 'Static Bloom',
    synopsis: 'A radio engineer and a botanist trade letters across a border that keeps moving.',
    year: 2022,
    maturity: 'PG-13',
    genres: ['Drama', 'Romance'],
    video: {
      video: 'cellauto=rule=110:size=854x480:rate=30',
      audio: [
        ['en', 330],
        ['es', 550],
      ],
      subtitles: [
        [
          'en',
          ['The signal is clearer tonight.', 'Write back when the river freezes.', 'I kept every letter.'],
        ],
        [
          'es',
          [
            'La señal es más clara esta noche.',
            'Escríbeme cuando se congele el río.',
            'Guardé todas las cartas.',
          ],
        ],
      ],
      seconds: 12,
    },
  },
  {
    type: 'movie',
    name: 'The Long Sprint',
    synopsis: 'Six runners, one desert, and a finish line nobody has seen.',
    year: 2021,
    maturity: 'PG',
    genres: ['Documentary', 'Sports'],
    video: clip('smptehdbars=size=854x480:rate=30'),
  },
  {
    type: 'movie',
    name: 'Quiet Circuit',
    synopsis: 'The last engineer on a silent space station hears something in the wiring.',
    year: 2025,
    maturity: 'PG-13',
    genres: ['Sci-Fi', 'Thriller'],
    video: clip('life=size=640x360:rate=30:mold=10:ratio=0.2:death_color=#101030:life_color=#40c0ff'),
  },
  {
    type: 'movie',
    name: 'Laugh Track',
    synopsis: 'A sitcom audience goes on strike and the cast has to be funny for real.',
    year: 2020,
    maturity: 'PG',
    genres: ['Comedy'],
    video: clip('rgbtestsrc=size=640x360:rate=30'),
  },
  {
    type: 'movie',
    name: 'Deep Field',
    synopsis: 'Ten thousand galaxies in a patch of sky the size of a grain of sand.',
    year: 2019,
    maturity: 'G',
    genres: ['Documentary', 'Science'],
    video: clip('mandelbrot=size=640x360:rate=30:start_scale=0.5:end_scale=0.01'),
  },
  {
    type: 'series',
    name: 'Orbit Kitchen',
    synopsis: 'A chef on a cargo ship cooks for a crew that can never agree on dinner.',
    year: 2024,
    maturity: 'PG',
    genres: ['Comedy', 'Family'],
    seasons: [
      [
        { name: 'Launch Lunch', video: clip('testsrc2=size=640x360:rate=30', 10) },
        { name: 'Zero-G Soup', video: clip('testsrc=size=640x360:rate=30', 10) },
      ],
      [
        { name: 'The Spice Run', video: clip('smptebars=size=640x360:rate=30', 10) },
        { name: 'Dessert Horizon', video: clip('cellauto=rule=30:size=640x360:rate=30', 10) },
      ],
    ],
  },
];
