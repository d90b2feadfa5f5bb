import { listApi } from '../api/endpoints';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { useLoad } from '../app/use-api';
import { Header } from '../components/Header';
import { TitleCard } from '../components/TitleCard';

export function MyListPage() {
  const { profile } = useSession();
  useDocumentTitle('My List');
  const items = useLoad(profile ? `list:${profile.profileId}` : null, (signal) =>
    listApi.all(profile!.profileId, signal),
  );
  return (
    <>
      <Header />
      <main className="grid-page">
        <h1>My List</h1>
        {items.error && (
          <p className="error" role="alert">
            {items.error.message}
          </p>
        )}
        {items.loading && !items.data && <p className="loading">Loading…</p>}
        {!items.loading && !items.error && (items.data ?? []).length === 0 && (
          <p className="empty">Add titles with “My List” on a title’s page to find them here.</p>
        )}
        <ul className="grid">
          {(items.data ?? []).map((t) => (
            <li key={t.titleId}>
              <TitleCard title={t} />
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}
