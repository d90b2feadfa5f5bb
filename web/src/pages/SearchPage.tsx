import { titlesApi } from '../api/endpoints';
import { Link, useLocation } from '../app/router';
import { episodeCode } from '../app/viewing-rules';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { useLoad } from '../app/use-api';
import { Header } from '../components/Header';
import { TitleCard } from '../components/TitleCard';

export function SearchPage() {
  const { query } = useLocation();
  const { profile } = useSession();
  const q = query.get('q') ?? '';
  const genre = query.get('genre') ?? '';
  useDocumentTitle(q ? `Search: ${q}` : genre || 'Browse');
  const results = useLoad(`search:${q}:${genre}`, (signal) =>
    titlesApi.search({ q, genre, ...(profile ? { profileId: profile.profileId } : {}) }, signal),
  );
  const items = results.data?.items ?? [];
  const episodes = results.data?.episodes ?? [];
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
        {!results.loading && items.length === 0 && episodes.length === 0 && (
          <p className="empty">No titles match. Try another word.</p>
        )}
        <ul className="grid">
          {items.map((t) => (
            <li key={t.titleId}>
              <TitleCard title={t} />
            </li>
          ))}
        </ul>
        {episodes.length > 0 && (
          <section className="episode-hits" aria-labelledby="episode-hits">
            <h2 id="episode-hits">Episodes</h2>
            <ul>
              {episodes.map((e) => (
                <li key={e.titleId}>
                  <Link href={`/title/${e.seriesId}?season=${e.season}`} className="episode">
                    <span className="ep-name">{e.name}</span>
                    <span className="ep-series">
                      {e.seriesName} · {episodeCode(e.season, e.number)}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        )}
      </main>
    </>
  );
}
