import { Link, useLocation } from '../app/router';
import { useSession } from '../app/session';
import { Header } from '../components/Header';
import { BackupPanel } from './BackupPanel';
import { EdgesPanel, HealthPanel } from './StatusPanels';
import { TitlesPanel } from './TitlesPanel';
import { UsersPanel } from './UsersPanel';

export function AdminPage() {
  const { account } = useSession();
  const { path } = useLocation();
  if (account && account.role !== 'admin') {
    return (
      <>
        <Header />
        <main className="admin">
          <p className="error">The admin console needs an admin account.</p>
        </main>
      </>
    );
  }
  const tab =
    path === '/admin/edges'
      ? 'edges'
      : path === '/admin/health'
        ? 'health'
        : path === '/admin/users'
          ? 'users'
          : 'titles';
  return (
    <>
      <Header />
      <main className="admin">
        <nav className="tabs" aria-label="Admin">
          <Link href="/admin" aria-current={tab === 'titles' ? 'page' : undefined}>
            Titles &amp; uploads
          </Link>
          <Link href="/admin/users" aria-current={tab === 'users' ? 'page' : undefined}>
            Users
          </Link>
          <Link href="/admin/edges" aria-current={tab === 'edges' ? 'page' : undefined}>
            Edges
          </Link>
          <Link href="/admin/health" aria-current={tab === 'health' ? 'page' : undefined}>
            Health &amp; queue
          </Link>
        </nav>
        {tab === 'titles' && <TitlesPanel />}
        {tab === 'users' && <UsersPanel />}
        {tab === 'edges' && <EdgesPanel />}
        {tab === 'health' && <HealthPanel />}
        {tab === 'health' && <BackupPanel />}
      </main>
    </>
  );
}
