import { MATURITY_RATINGS, type Maturity } from '@marquee/contracts/maturity';

/** The metadata inputs that creating a title and editing one share, so the two forms cannot drift. */

/** "Drama, Comedy" → ['Drama', 'Comedy']: blanks and stray commas are dropped. */
export const splitGenres = (text: string): string[] =>
  text
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);

interface Field<T> {
  value: T;
  onChange: (value: T) => void;
}

export function NameField({ value, onChange }: Field<string>) {
  return (
    <label>
      Name
      <input required value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

export function SynopsisField({ value, onChange }: Field<string>) {
  return (
    <label className="wide">
      Synopsis
      <input value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

export function YearField({ value, onChange }: Field<number>) {
  return (
    <label>
      Year
      <input
        type="number"
        min={1888}
        max={2100}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    </label>
  );
}

export function RatingField({ value, onChange }: Field<Maturity>) {
  return (
    <label>
      Rating
      <select value={value} onChange={(e) => onChange(e.target.value as Maturity)}>
        {MATURITY_RATINGS.map((m) => (
          <option key={m}>{m}</option>
        ))}
      </select>
    </label>
  );
}

export function GenresField({ value, onChange, placeholder }: Field<string> & { placeholder?: string }) {
  return (
    <label>
      Genres
      <input placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
