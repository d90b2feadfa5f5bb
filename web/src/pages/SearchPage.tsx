import { titlesApi } from '../api/endpoints';
import { useLocation } from '../app/router';
import { useSession } from '../app/session';
import { useLoad } from '../app/use-api';
import { Header } from '../components/Header';
import { TitleCard } from '../components/TitleCard';

export function SearchPage() {
  const { query } = useLocation();
  const { profile } = useSession();
  const q = query.get('q') ?? '';
  const genre = query.get('genre') ?? '';
  const results = useLoad(`search:${q}:${genre}`, (signal) =>
    titlesApi.search({ q, genre, ...(profile ? { profileId: profile.profileId } : {}) }, signal),
  );
  const items = results.data?.items ?? [];
  return (
    <>
      <Header />
      <main className="grid-page">
        <h1>{q ? `Results for “${q}”` : genre ? genre : 'Browse'}</h1>
        {results.error && (
          <p className="error" role="alert">
            {results.error.message}
          </p>
        )}
        {!results.loading && items.length === 0 && (
          <p className="empty">No titles match. Try another word.</p>
        )}
        <ul className="grid">
          {items.map((t) => (
            <li key={t.titleId}>
              <TitleCard title={t} />
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}
