import { useEffect } from 'react';
import { homeApi, titlesApi } from '../api/endpoints';
import { genreLabel } from '../api/format';
import { preloadPlayer } from '../app/lazy-pages';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { useViewingHistory } from '../app/viewing';
import { playChoice, withProgress } from '../app/viewing-rules';
import { useLoad } from '../app/use-api';
import { Header } from '../components/Header';
import { isTopRow, Row } from '../components/Row';
import { Poster } from '../components/TitleCard';
import { Icon } from '../components/Icon';
import { usePrepareOnView } from '../player/prepare-linger';

const EMPTY_HOME_RETRY_MS = 5_000;

export function HomePage() {
  const { profile } = useSession();
  const home = useLoad(profile ? `home:${profile.profileId}` : null, (signal) =>
    homeApi.rows(profile!.profileId, signal),
  );
  const history = useViewingHistory(profile?.profileId);
  useDocumentTitle('Home');
  // An empty home (a new platform, or titles the recommender has not trained on yet: it retrains a few
  // seconds after a title is published) asks again, so rows appear without the viewer reloading.
  const empty = home.data !== undefined && home.data.length === 0 && !home.loading;
  const { reload } = home;
  useEffect(() => {
    if (!empty) return;
    const timer = setTimeout(reload, EMPTY_HOME_RETRY_MS);
    return () => clearTimeout(timer);
  }, [empty, reload, home.data]);
  const rows = (home.data ?? []).map((r) => ({ ...r, items: withProgress(r.items, history) }));
  const featured = rows.find((r) => r.id !== 'continue-watching' && r.items.length > 0)?.items[0];
  // Row items are brief; the hero shows the full title (synopsis, poster) once it has loaded.
  const detail = useLoad(featured && profile ? `hero:${featured.titleId}` : null, (signal) =>
    titlesApi.get(featured!.titleId, signal, profile!.profileId),
  );
  const hero = featured && { ...featured, ...(detail.data ?? {}) };
  // The hero is the title a viewer arriving home looks at first: prepared once it has stayed in view.
  usePrepareOnView(hero?.titleId);
  // A series' Play says which episode it starts ("Resume S1:E3"), once its episodes have loaded.
  const play = detail.data ? playChoice(detail.data, history) : { label: 'Play' };
  // Only the first popularity row is numbered: two Top 10s on one page would contradict each other.
  const topRowId = rows.find((r) => isTopRow(r) && r.items.length > 0)?.id;

  return (
    <>
      <Header />
      <main className="home">
        {hero && (
          <section className="hero" aria-label="Featured">
            <div className="hero-art">
              <Poster title={hero} />
            </div>
            <div className="hero-text">
              <h1>{hero.name}</h1>
              <p className="meta">
                {[hero.year, hero.maturity, ...(hero.genres ?? []).slice(0, 2).map(genreLabel)]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
              {hero.synopsis && <p className="synopsis">{hero.synopsis}</p>}
              <div className="actions">
                <Link
                  className="primary button"
                  href={`/watch/${hero.titleId}`}
                  onPointerEnter={preloadPlayer}
                  onFocus={preloadPlayer}
                >
                  <Icon name="play" /> {play.label}
                </Link>
                <Link className="secondary button" href={`/title/${hero.titleId}`}>
                  More info
                </Link>
              </div>
            </div>
          </section>
        )}
        {home.error && (
          <p className="error" role="alert">
            The home page could not load: {home.error.message}{' '}
            <button className="ghost" onClick={home.reload}>
              Retry
            </button>
          </p>
        )}
        {home.loading && rows.length === 0 && <p className="loading">Loading…</p>}
        {!home.loading && !home.error && rows.every((r) => r.items.length === 0) && (
          <p className="empty">Nothing to watch yet. Titles appear here as soon as they finish encoding.</p>
        )}
        {rows.map((row) => (
          <Row key={row.id} row={row} ranked={row.id === topRowId} />
        ))}
      </main>
    </>
  );
}
