import { useEffect, useState } from 'react';
import { listApi, titlesApi } from '../api/endpoints';
import type { Episode } from '@marquee/contracts/api';
import { preloadPlayer } from '../app/lazy-pages';
import { useDocumentTitle } from '../app/document-title';
import { Link, navigate } from '../app/router';
import { useViewingHistory } from '../app/viewing';
import { playChoice, progressOf } from '../app/viewing-rules';
import { useSession } from '../app/session';
import { useLoad } from '../app/use-api';
import { Header } from '../components/Header';
import { Poster, ProgressBar } from '../components/TitleCard';
import { runtime } from '../player/format';
import { genreLabel } from '../api/format';
import { Icon } from '../components/Icon';
import { usePrepareOnView } from '../player/prepare-linger';

export function TitlePage({ titleId }: { titleId: string }) {
  useEffect(preloadPlayer, []);
  const { profile } = useSession();
  const title = useLoad(`title:${titleId}:${profile?.profileId ?? ''}`, (signal) =>
    titlesApi.get(titleId, signal, profile?.profileId),
  );
  const [inList, setInList] = useState<boolean | null>(null);
  const [rating, setRating] = useState<'up' | 'down' | null>(null);
  // A search hit for an episode opens its series at the episode's season.
  const [season, setSeason] = useState(() => Number(new URLSearchParams(location.search).get('season')) || 1);
  const history = useViewingHistory(profile?.profileId);
  useDocumentTitle(title.data?.name ?? null);
  // A viewer reading a title's page is likely to press Play: its playback is prepared meanwhile.
  usePrepareOnView(title.data && !title.error ? titleId : undefined);

  // An episode is shown on its series' page (with the episode list and a way back), wherever the
  // link came from: the player's Back, search, a shared link.
  const seriesId = (title.data as { seriesId?: string } | undefined)?.seriesId;
  useEffect(() => {
    if (seriesId) navigate(`/title/${seriesId}`, { replace: true });
  }, [seriesId]);

  // Asking for the whole list (not GET list/:titleId, a 404 when absent) keeps the console clean.
  useEffect(() => {
    if (!profile) return;
    listApi.ids(profile.profileId).then(
      (ids) => setInList(ids.includes(titleId)),
      () => setInList(null),
    );
    listApi.rating(profile.profileId, titleId).then(setRating, () => setRating(null));
  }, [profile, titleId]);

  const toggleList = async () => {
    if (!profile) return;
    if (inList) await listApi.remove(profile.profileId, titleId);
    else await listApi.add(profile.profileId, titleId);
    setInList(!inList);
  };
  const rate = async (value: 'up' | 'down') => {
    if (!profile) return;
    const next = rating === value ? null : value;
    await listApi.rate(profile.profileId, titleId, next);
    setRating(next);
  };

  const t = title.data;
  const seasons = t?.seasons ?? [];
  const episodes: Episode[] = seasons.find((s) => s.season === season)?.episodes ?? [];
  // A series plays by its own id: the server starts the episode to resume, else the first.
  const playable = t?.type !== 'series' || seasons.some((s) => s.episodes.length > 0);
  const choice = t ? playChoice(t, history) : { label: 'Play' };
  const watched = new Map(history.map((v) => [v.titleId, v]));

  return (
    <>
      <Header />
      <main className="title-page">
        {title.error && (
          <p className="error" role="alert">
            {title.error.message}
          </p>
        )}
        {t && (
          <article>
            <div className="title-hero">
              <div className="title-art">
                <Poster title={t} />
              </div>
              <div className="title-info">
                <h1>{t.name}</h1>
                <p className="meta">
                  <span className="maturity" aria-label={`Rated ${t.maturity}`}>
                    {t.maturity}
                  </span>{' '}
                  {[t.year, ...(t.genres ?? []).map(genreLabel)].filter(Boolean).join(' · ')}
                </p>
                {t.synopsis && <p className="synopsis">{t.synopsis}</p>}
                <div className="actions">
                  {playable && (
                    <Link className="primary button" href={`/watch/${titleId}`}>
                      <Icon name="play" /> {choice.label}
                    </Link>
                  )}
                  <button
                    className="secondary"
                    onClick={() => void toggleList()}
                    aria-pressed={inList ?? false}
                  >
                    <Icon name={inList ? 'check' : 'plus'} /> My List
                  </button>
                  <button
                    className="icon-button"
                    aria-label="I like this"
                    aria-pressed={rating === 'up'}
                    onClick={() => void rate('up')}
                  >
                    <Icon name="thumbUp" />
                  </button>
                  <button
                    className="icon-button"
                    aria-label="Not for me"
                    aria-pressed={rating === 'down'}
                    onClick={() => void rate('down')}
                  >
                    <Icon name="thumbDown" />
                  </button>
                </div>
              </div>
            </div>
            {seasons.length > 0 && (
              <section className="episodes" aria-label="Episodes">
                <div className="episodes-head">
                  <h2>Episodes</h2>
                  <select
                    aria-label="Season"
                    value={season}
                    onChange={(e) => setSeason(Number(e.target.value))}
                  >
                    {seasons.map((s) => (
                      <option key={s.season} value={s.season}>
                        Season {s.season}
                      </option>
                    ))}
                  </select>
                </div>
                <ol>
                  {episodes.map((ep) => (
                    <li key={ep.titleId}>
                      <Link href={`/watch/${ep.titleId}`} className="episode">
                        <span className="ep-number">{ep.number}</span>
                        <span className="ep-name">{ep.name}</span>
                        {ep.durationSeconds ? (
                          <span className="ep-length">{runtime(ep.durationSeconds)}</span>
                        ) : null}
                        <ProgressBar share={progressOf(watched.get(ep.titleId))} />
                      </Link>
                    </li>
                  ))}
                </ol>
              </section>
            )}
          </article>
        )}
      </main>
    </>
  );
}
