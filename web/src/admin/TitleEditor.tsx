import { lazy, Suspense, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { type Maturity } from '@marquee/contracts/maturity';
import type { TitleChanges } from '@marquee/contracts/api';
import { adminApi, type AdminTitle } from './api';
import { TitleRenditions } from './TitleRenditions';
import { GenresField, NameField, RatingField, splitGenres, SynopsisField, YearField } from './title-fields';

// The title's audience (issue 18), loaded with its chart library only when an editor opens.
const TitleStats = lazy(() => import('./analytics/TitleStats').then((m) => ({ default: m.TitleStats })));

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
      changes.genres = splitGenres(genres);
    }
    void run(() => adminApi.update(title.titleId, changes), 'Saved.', 'Could not save the changes');
  };

  return (
    <>
      <form className="create-title title-editor" aria-label={`Edit ${title.name}`} onSubmit={save}>
        <NameField value={name} onChange={setName} />
        <SynopsisField value={synopsis} onChange={setSynopsis} />
        <YearField value={year} onChange={setYear} />
        {!episode && (
          <>
            <RatingField value={maturity} onChange={setMaturity} />
            <GenresField value={genres} onChange={setGenres} />
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
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void run(
              () => adminApi.update(title.titleId, { published: !title.published }),
              title.published ? 'Unpublished: viewers no longer see it.' : 'Published: viewers see it again.',
              title.published ? 'Could not unpublish' : 'Could not publish',
            )
          }
        >
          {title.published ? 'Unpublish' : 'Publish'}
        </button>
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
      <TitleRenditions asset={title.asset} name={title.name} />
      {title.type !== 'series' && (
        <Suspense fallback={null}>
          <TitleStats titleId={title.titleId} />
        </Suspense>
      )}
    </>
  );
}
