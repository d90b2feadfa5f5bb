import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { type Maturity } from '@marquee/contracts/maturity';
import { useLoad } from '../app/use-api';
import { adminApi, type AdminTitle } from './api';
import { TitleEditor } from './TitleEditor';
import { renditionsByCodec } from './renditions-by-codec';
import { GenresField, NameField, RatingField, splitGenres, SynopsisField, YearField } from './title-fields';
import { UploadButton } from './UploadButton';

function AssetState({ title }: { title: AdminTitle }) {
  const a = title.asset;
  if (!a) return <span className="state none">no source</span>;
  return (
    <span className={`state ${a.state}`} data-state={a.state}>
      {a.state}
      {a.state === 'encoding' && a.progress !== undefined && (
        <span
          className="upload-progress"
          role="progressbar"
          aria-label={`Encoding of ${title.name}`}
          aria-valuenow={Math.round(a.progress * 100)}
          aria-valuemin={0}
          aria-valuemax={100}
        >
          <span style={{ width: `${a.progress * 100}%` }} />
          <em>{Math.round(a.progress * 100)}%</em>
        </span>
      )}
      {a.state === 'ready' && a.renditions && (
        <small>
          {' '}
          {renditionsByCodec(a.renditions)
            .map((f) => `${f.label} ${f.rungs.map((r) => `${r.height}p`).join(' ')}`)
            .join(' · ')}
        </small>
      )}
      {a.state === 'failed' && a.reason && <small className="reason"> — {a.reason}</small>}
    </span>
  );
}

export function TitlesPanel() {
  const titles = useLoad('admin-titles', (signal) => adminApi.titles(signal));
  // Live encoding progress: poll while anything is moving.
  useEffect(() => {
    const busy = (titles.data ?? []).some(
      (t) => t.asset && ['uploading', 'queued', 'encoding'].includes(t.asset.state),
    );
    const timer = window.setInterval(titles.reload, busy ? 1500 : 5000);
    return () => window.clearInterval(timer);
  }, [titles.data, titles.reload]);

  const [editing, setEditing] = useState<string | null>(null);
  const all = titles.data ?? [];
  const series = all.filter((t) => t.type === 'series');
  return (
    <section aria-labelledby="titles-h">
      <h2 id="titles-h">Titles</h2>
      <CreateTitle series={series} onCreated={titles.reload} />
      {titles.error && (
        <p className="error" role="alert">
          {titles.error.message}
        </p>
      )}
      <div className="table-scroll">
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col" className="hide-narrow">
                Type
              </th>
              <th scope="col">Rating</th>
              <th scope="col">Asset</th>
              <th scope="col">Source</th>
              <th scope="col">Manage</th>
            </tr>
          </thead>
          <tbody>
            {!titles.loading && all.length === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  No titles yet. Create one above, then upload its source video.
                </td>
              </tr>
            )}
            {all.map((t) => (
              <Fragment key={t.titleId}>
                <tr data-title={t.name}>
                  <td>
                    {t.type === 'episode' ? `↳ S${t.season}E${t.number} ` : ''}
                    {t.name}
                    {t.published === false &&
                      t.type !== 'episode' &&
                      (t.asset?.state === 'ready' || t.type === 'series') && (
                        <small data-hidden> (hidden from viewers)</small>
                      )}
                  </td>
                  <td className="hide-narrow">{t.type}</td>
                  <td>{t.maturity ?? ''}</td>
                  <td>{t.type === 'series' ? '—' : <AssetState title={t} />}</td>
                  <td>
                    {t.type === 'series' ? null : (
                      <UploadButton
                        titleId={t.titleId}
                        titleName={t.name}
                        hasSource={Boolean(t.asset)}
                        onDone={titles.reload}
                      />
                    )}
                  </td>
                  <td>
                    <button
                      className="secondary small"
                      aria-expanded={editing === t.titleId}
                      aria-label={`Edit ${t.name}`}
                      onClick={() => setEditing(editing === t.titleId ? null : t.titleId)}
                    >
                      Edit
                    </button>
                  </td>
                </tr>
                {editing === t.titleId && (
                  <tr className="editor-row">
                    <td colSpan={6}>
                      <TitleEditor title={t} onChanged={titles.reload} onClose={() => setEditing(null)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CreateTitle({ series, onCreated }: { series: AdminTitle[]; onCreated: () => void }) {
  const [kind, setKind] = useState<'movie' | 'series' | 'episode'>('movie');
  const [name, setName] = useState('');
  const [synopsis, setSynopsis] = useState('');
  const [year, setYear] = useState(new Date().getFullYear());
  const [maturity, setMaturity] = useState<Maturity>('PG');
  const [genres, setGenres] = useState('');
  const [seriesId, setSeriesId] = useState('');
  const [season, setSeason] = useState(1);
  const [number, setNumber] = useState(1);
  const [message, setMessage] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    try {
      if (kind === 'episode') {
        if (!seriesId) return setMessage('Choose the series first');
        await adminApi.addEpisode(seriesId, { season, number, name });
      } else {
        await adminApi.create({
          type: kind,
          name,
          synopsis,
          year,
          maturity,
          genres: splitGenres(genres),
        });
      }
      // A clean form for the next one; an episode moves on to the next number of the same season.
      setName('');
      setSynopsis('');
      setGenres('');
      setYear(new Date().getFullYear());
      setMaturity('PG');
      if (kind === 'episode') setNumber(number + 1);
      setMessage(`Created “${name}”. Upload its source in the table below.`);
      onCreated();
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : 'Could not create the title');
    }
  };

  return (
    <form className="create-title" onSubmit={(e) => void submit(e)} aria-label="Create a title">
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="movie">Movie</option>
          <option value="series">Series</option>
          <option value="episode">Episode</option>
        </select>
      </label>
      {kind === 'episode' && (
        <>
          <label>
            Series
            <select value={seriesId} onChange={(e) => setSeriesId(e.target.value)} required>
              <option value="">—</option>
              {series.map((s) => (
                <option key={s.titleId} value={s.titleId}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Season
            <input type="number" min={1} value={season} onChange={(e) => setSeason(Number(e.target.value))} />
          </label>
          <label>
            Episode
            <input type="number" min={1} value={number} onChange={(e) => setNumber(Number(e.target.value))} />
          </label>
        </>
      )}
      <NameField value={name} onChange={setName} />
      {kind !== 'episode' && (
        <>
          <SynopsisField value={synopsis} onChange={setSynopsis} />
          <YearField value={year} onChange={setYear} />
          <RatingField value={maturity} onChange={setMaturity} />
          <GenresField placeholder="Drama, Comedy" value={genres} onChange={setGenres} />
        </>
      )}
      <button className="primary" type="submit">
        Create
      </button>
      {message && <p role="status">{message}</p>}
    </form>
  );
}
