import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { MATURITY_RATINGS, type Maturity } from '@marquee/contracts/maturity';
import { adminApi, type AdminTitle, type TitleChanges } from './api';

const message = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/**
 * Edits one title in place: its metadata, its poster, whether viewers see it, or deletes it (its
 * media goes with it, so deleting asks once more). An episode's rating and genres are its series'.
 */
export function TitleEditor({
  title,
  onChanged,
  onClose,
}: {
  title: AdminTitle;
  onChanged: () => void;
  onClose: () => void;
}) {
  const episode = title.type === 'episode';
  const [name, setName] = useState(title.name);
  const [synopsis, setSynopsis] = useState(title.synopsis ?? '');
  const [year, setYear] = useState(title.year ?? new Date().getFullYear());
  const [maturity, setMaturity] = useState<Maturity>(title.maturity ?? 'PG');
  const [genres, setGenres] = useState((title.genres ?? []).join(', '));
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const poster = useRef<HTMLInputElement>(null);

  const run = async (action: () => Promise<void>, done: string, fallback: string) => {
    setError(null);
    setStatus(null);
    try {
      await action();
      setStatus(done);
      onChanged();
    } catch (err) {
      setError(message(err, fallback));
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const changes: TitleChanges = { name, synopsis, year };
    if (!episode) {
      changes.maturity = maturity;
      changes.genres = genres
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean);
    }
    void run(() => adminApi.update(title.titleId, changes), 'Saved.', 'Could not save the changes');
  };

  return (
    <form className="create-title title-editor" aria-label={`Edit ${title.name}`} onSubmit={save}>
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="wide">
        Synopsis
        <input value={synopsis} onChange={(e) => setSynopsis(e.target.value)} />
      </label>
      <label>
        Year
        <input
          type="number"
          min={1888}
          max={2100}
          value={year}
          onChange={(e) => setYear(Number(e.target.value))}
        />
      </label>
      {!episode && (
        <>
          <label>
            Rating
            <select value={maturity} onChange={(e) => setMaturity(e.target.value as Maturity)}>
              {MATURITY_RATINGS.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <label>
            Genres
            <input value={genres} onChange={(e) => setGenres(e.target.value)} />
          </label>
        </>
      )}
      <button className="primary" type="submit">
        Save
      </button>
      <input
        ref={poster}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        aria-label={`Poster image for ${title.name}`}
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file)
            void run(
              () => adminApi.uploadPoster(title.titleId, file),
              'Poster replaced.',
              'Could not upload the poster',
            );
        }}
      />
      <button type="button" className="secondary" onClick={() => poster.current?.click()}>
        Replace poster…
      </button>
      {title.published ? (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void run(
              () => adminApi.update(title.titleId, { published: false }),
              'Unpublished: viewers no longer see it.',
              'Could not unpublish',
            )
          }
        >
          Unpublish
        </button>
      ) : (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void run(
              () => adminApi.update(title.titleId, { published: true }),
              'Published: viewers see it again.',
              'Could not publish',
            )
          }
        >
          Publish
        </button>
      )}
      {confirmDelete ? (
        <span role="group" aria-label="Confirm deletion">
          Delete “{title.name}”{title.type === 'series' ? ' and all its episodes' : ''} with its video? This
          cannot be undone.{' '}
          <button
            type="button"
            className="danger"
            onClick={() =>
              void run(
                async () => {
                  await adminApi.remove(title.titleId);
                  onClose();
                },
                'Deleted.',
                'Could not delete',
              )
            }
          >
            Delete for good
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
        </span>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirmDelete(true)}>
          Delete…
        </button>
      )}
      <button type="button" className="secondary" onClick={onClose}>
        Close
      </button>
      {status && <p role="status">{status}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
